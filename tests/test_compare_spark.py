"""The same matching on Spark (Splink's Spark backend, local mode) gives the same pairs as DuckDB (the session is
conftest's `spark`, shared with the engine's tests)."""

from __future__ import annotations

import importlib.util

import pyarrow.compute as pc
import pytest

from jingzhun.analytics import spark_session
from jingzhun.compare.matching import Matcher, default_model, match_people
from jingzhun.synth.linkage import labelled_benchmark

pytestmark = [
    pytest.mark.slow,
    pytest.mark.xdist_group("spark"),  # the worker holding the Spark session (tests/test_spark_engine.py)
    pytest.mark.skipif(importlib.util.find_spec("pyspark") is None,
                       reason="PySpark is not installed (pip install 'jingzhun[spark]')"),
]


def _pairs(result):
    pairs = result.pairs
    return {(r, m): (method, None if w is None else round(w, 6))
            for r, m, method, w in zip(pairs["record_id"].to_pylist(), pairs["member_id"].to_pylist(),
                                       pairs["method"].to_pylist(), pairs["match_weight"].to_pylist())}


def test_spark_finds_the_same_matches_as_duckdb(spark):
    registry, external, truth = labelled_benchmark(households=150, seed=21)
    with Matcher(registry, external) as matcher:
        matcher.exact()
        model = matcher.train(default_model(), max_pairs=2e5)
    on_duckdb = match_people(registry, external, model=model, min_weight=2.0)
    on_spark = match_people(registry, external, model=model, min_weight=2.0, engine="spark", spark=spark)
    assert on_duckdb.fuzzy_candidates > 20
    duck, sparked = _pairs(on_duckdb), _pairs(on_spark)
    assert duck.keys() == sparked.keys()
    for key, (method, weight) in duck.items():
        assert sparked[key][0] == method
        if weight is not None:
            assert sparked[key][1] == pytest.approx(weight, abs=1e-6)
    gammas = [f"gamma_{c}" for c in ("name", "dob", "sex", "village", "id")]
    key = ["record_id", "member_id"]
    assert on_duckdb.pairs.sort_by([(k, "ascending") for k in key]).select(key + gammas).equals(
        on_spark.pairs.sort_by([(k, "ascending") for k in key]).select(key + gammas))
    assert pc.sum(pc.equal(on_spark.pairs["method"], "fuzzy")).as_py() == on_duckdb.fuzzy_candidates


def test_engine_spark_without_pyspark_says_what_to_install(without_pyspark):
    with pytest.raises(ImportError, match=r"jingzhun\[spark\]"):
        spark_session()
