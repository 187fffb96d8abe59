"""The rules and indicators on Spark (local mode) give exactly what DuckDB gives: every golden fixture, a
small synthetic province, a Parquet snapshot read in place, and the commands with --engine spark.

One Spark session serves the whole test session (conftest's `spark`); engines here borrow it.
"""

from __future__ import annotations

import datetime
import importlib.util
import os
import json
import tomllib

import pyarrow as pa
import pytest

from jingzhun.analytics import Snapshot, get_engine
from jingzhun.checks.catalog import load_catalog
from jingzhun.checks.runner import run_rules
from jingzhun.cli import main
from jingzhun.indicators.compute import LEVEL_LENGTHS, unit_values
from jingzhun.synth import generate

from . import golden_alerts
from .golden_checks import golden_files, load, synth_snapshot
from .people import World
from .test_spot_indicators import GOLDEN as SPOT_GOLDEN
from .test_spot_indicators import _snapshot as spot_snapshot

pytestmark = [
    pytest.mark.slow,
    # one worker holds the Spark session (one JVM), while the other runs the rest of the suite
    pytest.mark.xdist_group("spark"),
    pytest.mark.skipif(importlib.util.find_spec("pyspark") is None,
                       reason="PySpark is not installed (pip install 'jingzhun[spark]')"),
]

#: CI (.ci/run) runs the suite twice, on SQLite and then on PostgreSQL, and names the pass in
#: JINGZHUN_TEST_PASS. The tests here that read Arrow snapshots only, never the database, would give the
#: same answer in both: CI splits them between its two passes (each runs once per CI run, and neither pass
#: carries all of Spark's time). Outside CI, where the variable is unset, every one of them runs.
_PASS = os.environ.get("JINGZHUN_TEST_PASS")


def arrow_only(ci_pass: str):
    return pytest.mark.skipif(_PASS is not None and _PASS != ci_pass,
                              reason=f"reads no database: runs in the {ci_pass} pass of the same CI run")


CATALOG = load_catalog()


def _on_both(spark, snapshot: Snapshot, as_of: datetime.date, work):
    """`work(engine)` on DuckDB and on Spark, each holding the snapshot."""
    results = []
    for name, options in (("duckdb", {}), ("spark", {"spark": spark})):
        with get_engine(name, **options) as engine:
            engine.load(snapshot, as_of=as_of)
            results.append(work(engine))
    return results


@arrow_only("postgresql")
@pytest.mark.parametrize("path", golden_files(), ids=lambda p: p.stem)
def test_spark_finds_what_duckdb_finds_on_every_golden_fixture(spark, path):
    snapshot, as_of, expected = load(path)
    on_duckdb, on_spark = _on_both(spark, snapshot, as_of, lambda e: run_rules(e, [CATALOG[path.stem]]))
    assert on_spark.equals(on_duckdb), (on_spark.to_pylist(), on_duckdb.to_pylist())
    assert set(zip(on_spark.column("household").to_pylist(), on_spark.column("person").to_pylist())) == expected


@arrow_only("sqlite")
@pytest.mark.parametrize("path", SPOT_GOLDEN, ids=[p.stem for p in SPOT_GOLDEN])
def test_spark_computes_the_golden_indicators_as_duckdb_does(spark, path):
    doc = tomllib.loads(path.read_text(encoding="utf-8"))
    snapshot, as_of = spot_snapshot(doc)
    on_duckdb, on_spark = _on_both(spark, snapshot, as_of, lambda e: unit_values(e, lengths=LEVEL_LENGTHS))
    assert on_spark == on_duckdb
    for org, want in doc["expect"].items():
        want = {k: (None if v == "none" else v) for k, v in want.items()}
        assert {k: on_spark[org][k] for k in want} == want, org


@pytest.fixture(scope="module")
def province():
    """Two small counties with injected errors, as of the end of their income year."""
    parts = [synth_snapshot(generate(county=county, households=150, seed=seed, errors=0.05))
             for county, seed in (("140826", 41), ("141130", 42))]
    return Snapshot("", {name: pa.concat_tables([p.tables[name] for p in parts]) for name in parts[0].tables})


@arrow_only("sqlite")
def test_spark_equals_duckdb_on_a_synthetic_province(spark, province):
    def rules_and_indicators(engine):
        return run_rules(engine, CATALOG.values()), unit_values(engine)

    (duck_findings, duck_units), (spark_findings, spark_units) = _on_both(
        spark, province, datetime.date(2020, 12, 31), rules_and_indicators)
    assert duck_findings.num_rows > 20  # the injected errors are there to be found
    assert spark_findings.equals(duck_findings)
    assert len(duck_units) > 20 and spark_units == duck_units


@arrow_only("sqlite")
def test_spark_reads_a_parquet_snapshot_where_it_lies(spark, province, tmp_path):
    """Written by Snapshot.to_parquet (one file per table), read back by pyarrow and by Spark's executors."""
    province.to_parquet(tmp_path / "snap")
    assert sorted(p.name for p in (tmp_path / "snap").iterdir())[:3] == [
        "households.parquet", "loan_installments.parquet", "loans.parquet"]
    again = Snapshot.from_parquet(str(tmp_path / "snap"))
    assert all(again.tables[name].equals(table) for name, table in province.tables.items())
    as_of = datetime.date(2020, 12, 31)
    rules = [CATALOG[c] for c in ("Q03", "Q05", "Q26")]
    with get_engine("spark", spark=spark) as engine:
        engine.load_parquet(str(tmp_path / "snap"), as_of=as_of)
        from_files = run_rules(engine, rules)
    with get_engine() as engine:
        engine.load(province, as_of=as_of)
        assert from_files.equals(run_rules(engine, rules))


def test_a_directory_that_is_no_snapshot_says_which_file_is_missing(tmp_path):
    with pytest.raises(FileNotFoundError, match="households.parquet"):
        Snapshot.from_parquet(str(tmp_path))


@pytest.mark.django_db(transaction=True)
def test_check_and_refresh_run_on_spark_from_the_command_line(spark, tmp_path, capsys):
    """A few rules (every rule's Spark run is compared above): the command's path, not the rules."""
    world = World()
    rules = ["--rules", "Q01,Q03,Q05,Q21,Q26,Q31", "--as-of", "2024-06-30", "--format", "json"]
    assert main(["check", "--engine", "spark", "--no-store", *rules]) == 0
    on_spark = json.loads(capsys.readouterr().out)
    assert main(["check", "--no-store", *rules]) == 0
    assert on_spark == json.loads(capsys.readouterr().out)
    # a snapshot written by `jingzhun snapshot`, checked on Spark, its findings stored in the ledger
    assert main(["snapshot", "--out", str(tmp_path / "snap")]) == 0
    capsys.readouterr()
    assert main(["check", "--engine", "spark", "--snapshot", str(tmp_path / "snap"), *rules]) == 0
    assert json.loads(capsys.readouterr().out) == on_spark
    assert main(["refresh", "--engine", "spark", "--as-of", "2024-06-30"]) == 0
    from jingzhun.indicators.models import UnitIndicators

    stored = {u.org: u.values for u in UnitIndicators.objects.filter(refresh__status="done")}
    assert world.home.code[:12] in stored


def test_engine_spark_without_pyspark_says_what_to_install(without_pyspark):
    with pytest.raises(ImportError, match=r"jingzhun\[spark\]"):
        get_engine("spark")


@arrow_only("postgresql")
@pytest.mark.parametrize("path", golden_alerts.golden_files(), ids=lambda p: p.stem)
def test_spark_fires_the_alerts_duckdb_fires_on_every_golden_fixture(spark, path, tmp_path, settings):
    from jingzhun.alerts.rules import flatten_thresholds, load_rules
    from jingzhun.alerts.rules import run_rules as run_alert_rules
    from jingzhun.alerts.services import alert_policy

    case = golden_alerts.load(path)
    rule = next(r for r in load_rules() if r.code == path.stem.split("-")[0])
    if case["county_pack"]:
        (tmp_path / f"{case['county']}.toml").write_text(case["county_pack"], encoding="utf-8")
    settings.JINGZHUN_POLICY_DIRS = [tmp_path] if case["county_pack"] else []
    alerts, _titles = alert_policy(case["county"] or case["province"], case["data_date"].year)
    thresholds = flatten_thresholds(alerts, case["data_date"])
    on_duckdb = run_alert_rules(rule.kind, case["records"], thresholds, rules=[rule])
    on_spark = run_alert_rules(rule.kind, case["records"], thresholds, rules=[rule], engine="spark", spark=spark)

    def hits(table):  # the figures as values: JSON text may order or space its members differently
        return sorted((r["rule"], r["record_id"], json.loads(r["figures"])) for r in table.to_pylist())

    assert hits(on_spark) == hits(on_duckdb)
    keys = case["records"].column("person_key").to_pylist()
    assert {keys[i] for i in on_spark.column("record_id").to_pylist()} == case["expected"]


@arrow_only("sqlite")
def test_an_ordered_list_aggregate_keeps_its_order_on_spark(spark):
    """Q05's list(DISTINCT household_id ORDER BY household_id): Spark's collect_list follows the rows'
    order, so the golden fixtures (a few rows, one partition) agreed while 1M members did not."""
    keys = [f"{k:03d}" for k in range(300)]
    table = pa.table({"k": [n % 7 for n in range(300)], "x": keys[::-1], "y": [None if n % 11 == 0 else n % 5
                                                                              for n in range(300)]})
    sql = ("SELECT k, list(DISTINCT x ORDER BY x) AS xs, list(x ORDER BY y, x) AS by_y FROM t GROUP BY k ORDER BY k")
    results = []
    for name, options in (("duckdb", {}), ("spark", {"spark": spark})):
        with get_engine(name, **options) as engine:
            engine.register("t", table)
            results.append(engine.query(sql).to_pylist())
    assert results[1] == results[0]
    assert results[0][0]["xs"] == sorted(results[0][0]["xs"])
