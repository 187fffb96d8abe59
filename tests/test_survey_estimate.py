"""Golden fixtures for the 三率一度 estimators (jingzhun.analytics.survey.estimate): a small stratified
cluster sample written out by hand, with the point, the Taylor-linearised SE of a ratio computed from the
textbook formula here (not by svy), the exact bound when no case is found, the purposive 漏评率 and the
incidence."""

from __future__ import annotations

import math

import polars as pl
import pytest
from scipy import stats

from jingzhun.analytics.survey import estimate as E

# stratum, village, frame, weight, persons, wrong_exit, missed, approves
ROWS = [
    ("A", "a1", "exited", 10.0, 4, True, None, False),
    ("A", "a1", "exited", 10.0, 2, False, None, True),
    ("A", "a1", "not_exited", 5.0, 3, None, None, True),
    ("A", "a2", "exited", 20.0, 3, False, None, True),
    ("A", "a2", "exited", 20.0, 5, False, None, True),
    ("B", "b1", "exited", 8.0, 1, False, None, True),
    ("B", "b1", "exited", 8.0, 2, True, None, True),
    ("B", "b2", "exited", 12.0, 6, False, None, True),
    ("B", "b2", "exited", 12.0, 2, False, None, False),
    ("B", "b3", "exited", 15.0, 3, False, None, True),
    ("B", "b3", "screen", None, 4, None, True, True),
    ("B", "b3", "screen", None, 2, None, False, True),
    ("A", "a2", "screen", None, 3, None, False, True),
]
GOLDEN = pl.DataFrame(ROWS, schema=list(E.COLUMNS), orient="row")


def _taylor_ratio(rows, y, x):
    """R = Σwy / Σwx and its variance by linearisation, with-replacement at the PSU stage:
    z_hi = Σ_k w_k (y_k − R x_k) / X per PSU; V = Σ_h n_h/(n_h − 1) Σ_i (z_hi − z̄_h)²."""
    Y = sum(r["weight"] * y(r) for r in rows)
    X = sum(r["weight"] * x(r) for r in rows)
    ratio = Y / X
    z: dict[str, dict[str, float]] = {}
    for r in rows:
        z.setdefault(r["stratum"], {}).setdefault(r["village"], 0.0)
        z[r["stratum"]][r["village"]] += r["weight"] * (y(r) - ratio * x(r)) / X
    variance = 0.0
    for psus in z.values():
        n = len(psus)
        mean = sum(psus.values()) / n
        variance += n / (n - 1) * sum((v - mean) ** 2 for v in psus.values())
    return ratio, math.sqrt(variance)


def _probability_rows():
    return [r for r in GOLDEN.iter_rows(named=True) if r["frame"] != "screen"]


def test_wrong_exit_rate_point_and_se_match_the_hand_written_taylor_formula():
    rows = _probability_rows()
    ratio, se = _taylor_ratio(rows, lambda r: r["persons"] * (r["frame"] == "exited" and r["wrong_exit"]),
                              lambda r: r["persons"] * (r["frame"] == "exited"))
    # (10·4 + 8·2) ÷ (10·6 + 20·8 + 8·3 + 12·8 + 15·3) = 56 ÷ 385
    assert ratio == pytest.approx(56 / 385)
    rate = E.wrong_exit_rate(GOLDEN)
    assert rate.point == pytest.approx(56 / 385)
    assert rate.se == pytest.approx(se, rel=1e-9)
    assert (rate.households, rate.persons, rate.cases, rate.villages) == (9, 28, 2, 5)
    assert rate.df == 5 - 2  # villages − strata
    assert rate.method == E.TAYLOR
    assert rate.lower < rate.point < rate.upper


def test_wrong_exit_rate_interval_is_korn_graubard_on_the_effective_size():
    rate = E.wrong_exit_rate(GOLDEN)
    n = 28  # exited persons
    n_eff = min(n, rate.point * (1 - rate.point) / rate.se ** 2
                * (stats.t.ppf(0.975, n - 1) / stats.t.ppf(0.975, rate.df)) ** 2)
    x = rate.point * n_eff
    assert rate.lower == pytest.approx(stats.beta.ppf(0.025, x, n_eff - x + 1), rel=1e-6)
    assert rate.upper == pytest.approx(stats.beta.ppf(0.975, x + 1, n_eff - x), rel=1e-6)
    assert rate.effective_n == pytest.approx(n_eff)
    # 14.5% from 9 households in 5 villages: the interval reaches below 2% yet it is most unlikely to pass
    assert rate.lower < 0.02 < rate.upper and rate.verdict == E.UNDECIDED
    assert rate.confidence == pytest.approx(stats.beta.cdf(0.02, x + 1, n_eff - x)) and rate.confidence < 0.05


def test_no_wrong_exit_found_gives_an_exact_bound_over_households():
    clean = GOLDEN.with_columns(wrong_exit=pl.when(pl.col("frame") == "exited").then(False))
    rate = E.wrong_exit_rate(clean)
    assert (rate.point, rate.se, rate.lower, rate.cases) == (0.0, 0.0, 0.0, 0)
    n, df = 9, 3  # exited households (their persons share one verdict), villages − strata
    n_eff = min(n, n * (stats.t.ppf(0.975, n - 1) / stats.t.ppf(0.975, df)) ** 2)
    assert rate.upper == pytest.approx(1 - 0.025 ** (1 / n_eff))  # Clopper–Pearson with no case
    assert rate.method == E.EXACT_ZERO
    # nine households cannot show a rate below 2%: the interval straddles it
    assert rate.verdict == E.UNDECIDED
    assert rate.confidence == pytest.approx(1 - 0.98 ** n_eff)


def test_no_wrong_exit_in_a_large_survey_passes_with_high_confidence():
    big = pl.DataFrame([("S", f"v{v}", "exited", 30.0, 3, False, None, True) for v in range(40) for _h in range(20)],
                       schema=list(E.COLUMNS), orient="row")
    big = big.with_columns(stratum=pl.when(pl.col("village").str.slice(1).cast(pl.Int64) < 20).then(pl.lit("S1"))
                           .otherwise(pl.lit("S2")))
    rate = E.wrong_exit_rate(big)
    assert rate.upper < 0.02 and rate.verdict == E.PASS and rate.confidence > 0.975


def test_approval_counts_households_not_persons():
    rows = _probability_rows()
    ratio, se = _taylor_ratio(rows, lambda r: float(r["approves"]), lambda r: 1.0)
    rate = E.approval(GOLDEN)
    # (10 + 5 + 20·2 + 8·2 + 12 + 15) ÷ (10·2 + 5 + 20·2 + 8·2 + 12·2 + 15) = 98 ÷ 120
    assert rate.point == pytest.approx(98 / 120) == pytest.approx(ratio)
    assert rate.se == pytest.approx(se, rel=1e-9)
    assert (rate.households, rate.cases, rate.persons) == (10, 8, None)
    assert rate.verdict == E.UNDECIDED and 0 < rate.confidence < 0.5


def test_missed_rate_is_the_plain_ratio_over_the_screen_with_an_exact_interval():
    rate = E.missed_rate(GOLDEN)
    assert rate.point == pytest.approx(4 / 9)  # 4 missed persons of 9 screened
    assert rate.method == E.PURPOSIVE and rate.df is None and rate.deff is None
    assert rate.lower == pytest.approx(stats.beta.ppf(0.025, 4, 6))
    assert rate.verdict == E.FAIL
    assert rate.upper == pytest.approx(stats.beta.ppf(0.975, 5, 5))
    assert (rate.households, rate.persons, rate.cases) == (3, 9, 1)


def test_incidence_adds_the_estimated_wrongly_exited_to_the_registry_counts():
    got = E.estimate(GOLDEN, registry={"remaining_poor": 100, "exited_persons": 2000, "rural_population": 50000})
    wrong = got.wrong_exit_rate
    inc = got.incidence
    assert inc.point == pytest.approx((100 + 56 / 385 * 2000 + 4) / 50000)
    assert inc.se == pytest.approx(wrong.se * 2000 / 50000)
    assert inc.lower == pytest.approx((104 + wrong.lower * 2000) / 50000)
    assert inc.upper == pytest.approx((104 + wrong.upper * 2000) / 50000)
    # below 2% unless the 错退率 exceeds (0.02·50000 − 104) ÷ 2000 = 44.8%
    assert inc.confidence == pytest.approx(E.exact_confidence(wrong.point, wrong.effective_n, 0.448, True))
    assert inc.verdict == E.UNDECIDED and 0.5 < inc.confidence < 0.6
    few = E.estimate(GOLDEN, registry={"remaining_poor": 100, "exited_persons": 200, "rural_population": 50000})
    assert few.incidence.upper < 0.02 and few.incidence.verdict == E.PASS and few.incidence.confidence == 1.0


def test_a_stratum_with_one_village_does_not_crash_and_is_named():
    one = GOLDEN.filter(~pl.col("village").is_in(["a2"]))
    got = E.estimate(one)
    assert got.singleton_strata == ["A"]
    assert got.wrong_exit_rate.se > 0 and got.wrong_exit_rate.df == 4 - 2


def test_nothing_surveyed_is_no_data_not_an_error():
    empty = GOLDEN.filter(pl.col("frame") == "nothing")
    got = E.estimate(empty, registry={"remaining_poor": 10, "exited_persons": 0, "rural_population": 1000})
    assert all(r.verdict == E.NO_DATA for r in (got.wrong_exit_rate, got.missed_rate, got.approval, got.incidence))
    assert got.wrong_exit_rate.point is None and not got.vetoed


def test_missing_columns_are_refused():
    with pytest.raises(E.EstimateError):
        E.estimate(GOLDEN.drop("weight"))


def test_per_village_counts_guarantees_among_asked_households():
    table = GOLDEN.with_columns(water=pl.when(pl.col("frame") == "screen").then(None).otherwise(pl.col("persons") > 2))
    rows = {r["village"]: r for r in E.per_village(table).iter_rows(named=True)}
    assert rows["a1"]["households"] == 3 and rows["a1"]["wrong_exit"] == 1 and rows["a1"]["approves"] == 2
    assert (rows["b3"]["water_met"], rows["b3"]["water_asked"]) == (1, 1)  # the screened households are left out
    assert (rows["b1"]["water_met"], rows["b1"]["water_asked"]) == (0, 2)


def test_a_sample_drawn_with_certainty_is_estimated_without_a_design_effect():
    """Weights of 1 (every village and household of a small county taken): svy has no without-replacement design
    effect to give (the weights sum to the sample), so the rates come without one rather than as an error."""
    rows = [(s, v, f, 1.0 if w is not None else None, p, we, m, a) for s, v, f, w, p, we, m, a in ROWS]
    census = pl.DataFrame(rows, schema=list(E.COLUMNS), orient="row")
    wrong, approval = E.wrong_exit_rate(census), E.approval(census)
    # unweighted: 6 wrongly exited persons of 28 exited persons; 8 approving households of 10
    assert math.isclose(wrong.point, 6 / 28) and wrong.deff is None
    assert math.isclose(approval.point, 8 / 10) and approval.deff is None


def test_when_every_household_approves_the_interval_is_the_exact_bound_not_empty():
    rows = [r[:7] + (True if r[7] is not None else None,) for r in ROWS]
    everyone = E.approval(pl.DataFrame(rows, schema=list(E.COLUMNS), orient="row"))
    assert everyone.point == 1.0 and everyone.upper == 1.0
    assert 0.0 < everyone.lower < 1.0 and math.isfinite(everyone.lower)  # 5 villages: df 3 shrinks n
    # no more than the plain Clopper–Pearson bound on the 10 households
    assert everyone.lower <= E.exact_interval(10, 10)[0] + 1e-12
