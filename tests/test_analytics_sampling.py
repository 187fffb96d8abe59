"""analytics.survey.sampling: the two-stage draw is a pure function of the frame and the seed (in any row
order), sizes are capped at what a stratum or village has, a stratum asked for whole is taken whole, and
the probabilities are those of the design (PPS for villages, n/N for households)."""

from __future__ import annotations

import math

import numpy as np
import pyarrow as pa
import pytest

from jingzhun.analytics.survey.sampling import (
    SamplingError,
    draw,
    draw_households,
    draw_villages,
    margin_for,
    sample_size,
)


def _villages(sizes: dict[str, list[int]]) -> pa.Table:
    rows = [(s, f"{s}{i:03d}", n) for s, ns in sizes.items() for i, n in enumerate(ns)]
    return pa.table({"stratum": [r[0] for r in rows], "village": [r[1] for r in rows], "size": [r[2] for r in rows]})


def _households(villages: pa.Table, per: dict[str, int]) -> pa.Table:
    rows = [(v, f, f"{v}-{f}-{i:03d}") for v in villages.column("village").to_pylist() for f, n in per.items()
            for i in range(n)]
    return pa.table({"village": [r[0] for r in rows], "frame": [r[1] for r in rows], "household": [r[2] for r in rows]})


def _shuffled(table: pa.Table, seed: int) -> pa.Table:
    return table.take(np.random.default_rng(seed).permutation(table.num_rows))


SIZES = {"A": [40, 80, 120, 60, 200, 30, 90, 70], "B": [50, 55, 60, 65, 70, 75]}


def test_the_same_frame_in_any_row_order_and_the_same_seed_draw_the_same_sample():
    villages = _villages(SIZES)
    households = _households(villages, {"exited": 12, "monitored": 4})
    first = draw(villages, households, per_stratum={"A": 3, "B": 2}, per_frame={"exited": 5, "monitored": 2}, seed=42)
    again = draw(_shuffled(villages, 1), _shuffled(households, 2), per_stratum={"A": 3, "B": 2},
                 per_frame={"exited": 5, "monitored": 2}, seed=42)
    assert first[0].equals(again[0]) and first[1].equals(again[1])
    other = draw(villages, households, per_stratum={"A": 3, "B": 2}, per_frame={"exited": 5, "monitored": 2}, seed=43)
    assert other[1].column("household").to_pylist() != first[1].column("household").to_pylist()


def test_sizes_are_capped_at_what_a_stratum_and_a_village_have():
    villages = _villages({"A": [10, 20], "B": [5, 6, 7]})
    households = _households(villages, {"exited": 3, "not_exited": 1})
    sampled, within = draw(villages, households, per_stratum={"A": 9, "B": 1},
                           per_frame={"exited": 10, "not_exited": 2}, seed=5)
    by_stratum = dict(zip(*np.unique(sampled.column("stratum").to_pylist(), return_counts=True)))
    assert by_stratum == {"A": 2, "B": 1}
    per = {}
    for row in within.to_pylist():
        per[(row["village"], row["frame"])] = per.get((row["village"], row["frame"]), 0) + 1
    assert set(per.values()) <= {3, 1} and all(n == (3 if f == "exited" else 1) for (_v, f), n in per.items())


def test_a_stratum_asked_for_whole_is_drawn_whole_with_probability_one():
    villages = _villages({"A": [10, 20, 30], "B": [5, 500, 7, 9]})
    sampled = draw_villages(villages, {"A": 3, "B": 2}, seed=9).to_pylist()
    a = [r for r in sampled if r["stratum"] == "A"]
    assert [r["village"] for r in a] == ["A000", "A001", "A002"] and all(r["probability"] == 1.0 for r in a)
    b = {r["village"]: r["probability"] for r in sampled if r["stratum"] == "B"}
    assert len(b) == 2 and b.get("B001") == 1.0  # a village larger than the sampling interval: with certainty


def test_a_stratum_not_named_draws_nothing_and_villages_without_households_are_never_drawn():
    villages = _villages({"A": [0, 10, 20], "B": [5, 6]})
    sampled = draw_villages(villages, {"A": 3}, seed=1).to_pylist()
    assert {r["village"] for r in sampled} == {"A001", "A002"}


def test_village_probabilities_are_proportional_to_size_and_frequencies_follow_them():
    sizes = [40, 80, 120, 60, 200, 30, 90, 70]
    villages = _villages({"A": sizes})
    n = 3
    expected = {f"A{i:03d}": min(1.0, n * s / sum(sizes)) for i, s in enumerate(sizes)}
    first = draw_villages(villages, {"A": n}, seed=0).to_pylist()
    for row in first:
        assert row["probability"] == pytest.approx(expected[row["village"]], rel=1e-9)
    hits = dict.fromkeys(expected, 0)
    runs = 2000
    for seed in range(runs):
        for row in draw_villages(villages, {"A": n}, seed=seed).to_pylist():
            hits[row["village"]] += 1
    for village, p in expected.items():
        # binomial standard error of the frequency; 4 s.e. leaves no room for a wrong design
        assert abs(hits[village] / runs - p) < 4 * math.sqrt(p * (1 - p) / runs) + 1e-9, (village, hits[village], p)


def test_household_probabilities_are_n_over_the_village_frame_and_weights_their_inverse():
    villages = _villages({"A": [100, 100]})
    households = _households(villages, {"exited": 20, "monitored": 4})
    sampled, within = draw(villages, households, per_stratum={"A": 2}, per_frame={"exited": 5, "monitored": 8}, seed=3)
    for row in within.to_pylist():
        expected = 5 / 20 if row["frame"] == "exited" else 1.0
        assert row["household_probability"] == pytest.approx(expected)
        assert row["probability"] == pytest.approx(row["village_probability"] * expected)
        assert row["weight"] == pytest.approx(1 / row["probability"])
    assert within.column("order").to_pylist() == list(range(1, within.num_rows + 1))


def test_a_frame_with_a_village_twice_or_a_missing_column_is_refused():
    with pytest.raises(SamplingError):
        draw_villages(pa.table({"stratum": ["A", "A"], "village": ["v", "v"], "size": [1, 2]}), {"A": 1}, seed=1)
    with pytest.raises(SamplingError):
        draw_households(pa.table({"village": ["v"], "household": ["h"]}), {"exited": 1}, seed=1)


def test_sample_size_and_margin_answer_each_other():
    n = sample_size(p=0.03, margin=0.02, deff=2.0)
    assert margin_for(n=n, p=0.03, deff=2.0) <= 0.02 < margin_for(n=n - 5, p=0.03, deff=2.0)
    assert margin_for(n=0, p=0.03) == math.inf
    with pytest.raises(SamplingError):
        sample_size(p=0, margin=0.02)
