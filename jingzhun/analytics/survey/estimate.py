"""三率一度 as design-based estimates: each rate with its standard error, 95% interval and the threshold
verdict with the confidence behind it, from the surveyed households of a stratified two-stage sample.

The design: strata, villages drawn with probability proportional to size (the PSUs), households drawn at
random within each village and frame, each with its design weight (1/π). Variances are svy's Taylor
linearisation for the stratified cluster design (with-replacement approximation at the village stage), and
intervals are Korn–Graubard's (Clopper–Pearson on the effective sample size, df-adjusted): exact when no
case is found.

- 错退率 = wrongly exited persons ÷ surveyed exited persons (frame "exited"): a ratio of person totals. Every
  household is spread into its persons (one row each, same weight and village), so the ratio is a person
  proportion whose Taylor variance is the ratio's (the village is the cluster either way) and whose
  interval can be Korn–Graubard's. A verdict is a household's, so when no case is found the exact bound
  counts households (design effect 1), not persons, who are not independent of one another.
- 认可度 = approving households ÷ surveyed households of the probability frames (households, not persons).
- 漏评率 comes from the purposive screen of high-risk unregistered households: not a probability sample,
  so only the plain ratio with an exact binomial (Clopper–Pearson) interval, marked as purposive.
- 综合贫困发生率 = (remaining poor + wrongly exited persons estimated county-wide + missed persons found) ÷
  rural population; its uncertainty is the 错退 part's.

A stratum with one sampled village (a village taken with certainty, or the only one with approved cases
yet) has no within-stratum variance; svy's "center" rule (R's lonely.psu="adjust") is used: the village's
deviation is taken from the grand mean, which is conservative. Pure functions, no Django.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

import polars as pl
import pyarrow as pa

#: The columns of a table of surveyed households (one row per household of an approved questionnaire).
COLUMNS = ("stratum", "village", "frame", "weight", "persons", "wrong_exit", "missed", "approves")
PROBABILITY_FRAMES = ("exited", "not_exited", "monitored")
SCREEN = "screen"
ALPHA = 0.05
#: svy's rule for strata with a single sampled village (see the module docstring).
SINGLETON = "center"

PASS, FAIL, UNDECIDED, NO_DATA = "pass", "fail", "undecided", "no_data"
#: How each rate was estimated: words for the pages (translated there).
TAYLOR, EXACT_ZERO, PURPOSIVE, DERIVED = "taylor_kg", "exact_zero", "purposive", "derived"


class EstimateError(ValueError):
    """A table that cannot be estimated from (missing columns); the message (English, for logs) says why."""


@dataclass(frozen=True)
class Rate:
    """One rate (a share in [0, 1]) with its uncertainty and its threshold verdict.

    `point`, `se`, `lower`, `upper` are None when nothing was surveyed. `confidence` is the probability
    (one-sided, from the same Korn–Graubard effective sample size as the interval, or the t approximation
    for the incidence) that the true rate lies on the passing side of `threshold`; `verdict` is PASS when
    the whole 95% interval passes, FAIL when the whole interval fails, UNDECIDED when it straddles the
    threshold. `households` and `persons` are the surveyed units behind the rate (numerator, denominator:
    `cases` households found, of `households`).
    """

    key: str
    point: float | None
    se: float | None
    lower: float | None
    upper: float | None
    households: int
    persons: int | None
    cases: int
    threshold: float
    below: bool
    method: str
    deff: float | None = None
    df: int | None = None
    confidence: float | None = None
    verdict: str = NO_DATA
    villages: int = 0
    #: Korn–Graubard's effective sample size behind `confidence` (None for the derived incidence).
    effective_n: float | None = None

    def as_dict(self) -> dict:
        return asdict(self)

    def percent(self) -> dict:
        """point, se, lower and upper in percent (rounded to 2 places), None kept."""
        return {k: None if getattr(self, k) is None else round(100 * getattr(self, k), 2)
                for k in ("point", "se", "lower", "upper")}


@dataclass(frozen=True)
class Estimates:
    """三率一度 of one survey: 错退率, 漏评率, 认可度 and (when the registry counts are given) 综合贫困发生率."""

    wrong_exit_rate: Rate
    missed_rate: Rate
    approval: Rate
    incidence: Rate | None = None
    singleton_strata: list[str] = field(default_factory=list)

    def rates(self) -> list[Rate]:
        return [r for r in (self.wrong_exit_rate, self.missed_rate, self.approval, self.incidence) if r is not None]

    @property
    def vetoed(self) -> bool:
        """Any one rate failing vetoes the county's exit."""
        return any(r.verdict == FAIL for r in self.rates())


def _frame(table: pa.Table | pl.DataFrame) -> pl.DataFrame:
    df = table if isinstance(table, pl.DataFrame) else pl.from_arrow(table)
    missing = [c for c in COLUMNS if c not in df.columns]
    if missing:
        raise EstimateError(f"surveyed table lacks columns {missing}")
    return df.select(
        pl.col("stratum").cast(pl.Utf8), pl.col("village").cast(pl.Utf8), pl.col("frame").cast(pl.Utf8),
        pl.col("weight").cast(pl.Float64), pl.col("persons").cast(pl.Int64),
        pl.col("wrong_exit").cast(pl.Boolean), pl.col("missed").cast(pl.Boolean), pl.col("approves").cast(pl.Boolean))


def _verdict(lower: float, upper: float, threshold: float, below: bool) -> str:
    if below:
        return PASS if upper < threshold else FAIL if lower >= threshold else UNDECIDED
    return PASS if lower > threshold else FAIL if upper <= threshold else UNDECIDED


def _t_adjust(n: float, df: float, alpha: float = ALPHA) -> float:
    """Korn–Graubard's degrees-of-freedom adjustment of the effective sample size: (t_{n-1} / t_df)²."""
    from scipy import stats

    if n <= 1 or df <= 0:
        return 1.0
    return float((stats.t.ppf(1 - alpha / 2, n - 1) / stats.t.ppf(1 - alpha / 2, df)) ** 2)


def effective_size(p: float, se: float, n: int, df: int, alpha: float = ALPHA) -> float:
    """Korn–Graubard's effective sample size as svy's NCHS variant takes it: p(1−p)/se², df-adjusted,
    truncated at n; at p = 0 or 1 (or no variance) n itself (design effect 1), df-adjusted."""
    if p <= 0 or p >= 1 or se <= 0:
        return min(n, n * _t_adjust(n, df, alpha))
    return min(n, p * (1 - p) / se ** 2 * _t_adjust(n, df, alpha))


def exact_interval(x: float, n: float, alpha: float = ALPHA) -> tuple[float, float]:
    """Clopper–Pearson interval for x cases out of n (n may be an effective, non-integer size)."""
    from scipy.stats import beta

    if n <= 0:
        return 0.0, 1.0
    lower = 0.0 if x <= 0 else float(beta.ppf(alpha / 2, x, n - x + 1))
    upper = 1.0 if x >= n else float(beta.ppf(1 - alpha / 2, x + 1, n - x))
    return lower, upper


def exact_confidence(p: float, n_eff: float, threshold: float, below: bool) -> float:
    """P(true rate on the passing side of `threshold`) as the level of the one-sided Clopper–Pearson bound
    that equals the threshold, on x = p·n_eff cases of n_eff."""
    from scipy.stats import beta

    x = p * n_eff
    if below:
        return 1.0 if x >= n_eff and threshold >= 1 else float(beta.cdf(threshold, x + 1, max(n_eff - x, 1e-9)))
    return float(1 - beta.cdf(threshold, max(x, 1e-9), n_eff - x + 1))


def _sample(df: pl.DataFrame):
    import svy

    return svy.Sample(df, svy.Design(stratum="stratum", psu="village", wgt="weight", singleton=SINGLETON))


def _singletons(df: pl.DataFrame) -> list[str]:
    per = df.group_by("stratum").agg(pl.col("village").n_unique().alias("n")).filter(pl.col("n") == 1)
    return sorted(per["stratum"].to_list())


def _empty(key: str, threshold: float, below: bool, method: str) -> Rate:
    return Rate(key=key, point=None, se=None, lower=None, upper=None, households=0, persons=0 if key != "approval"
                else None, cases=0, threshold=threshold, below=below, method=method)


def _prop(sample, column: str, *, where=None, alpha: float = ALPHA):
    """svy's proportion with a Korn–Graubard interval and, where one exists, the without-replacement design
    effect. It does not when the weights sum to no more than the sample (every unit drawn with certainty, as
    a small county's whole stratum can be): then the estimate comes without a design effect, not an error."""
    from svy.errors import MethodError

    try:
        return sample.estimation.prop(column, where=where, ci_method="korn-graubard", deff="wor", alpha=alpha)
    except MethodError:
        return sample.estimation.prop(column, where=where, ci_method="korn-graubard", alpha=alpha)


def _design_prop(sample, column: str, where, *, n_zero: int, alpha: float = ALPHA) -> dict:
    """svy's proportion of `column` (0/1) in the domain `where`, Korn–Graubard interval, design effect."""
    result = _prop(sample, column, where=where, alpha=alpha)
    rows = result.to_polars().filter(pl.col(column) == 1)
    if rows.height == 0:  # no case at all: svy returns the level 0 only
        row = result.to_polars().row(0, named=True)
        return {"point": 0.0, "se": 0.0, "df": int(row["df"]), "n": int(row["n"]), "deff": None,
                "lower": 0.0, "upper": exact_interval(0, min(n_zero, n_zero * _t_adjust(n_zero, row["df"], alpha)),
                                                      alpha)[1], "zero": True}
    row = rows.row(0, named=True)
    deff = row.get("deff")
    return {"point": float(row["est"]), "se": float(row["se"]), "df": int(row["df"]), "n": int(row["n"]),
            "deff": None if deff is None or not math.isfinite(deff) else float(deff),
            "lower": float(row["lci"]), "upper": float(row["uci"]), "zero": False}


def wrong_exit_rate(table, *, threshold: float = 0.02, alpha: float = ALPHA) -> Rate:
    """错退率: wrongly exited persons ÷ surveyed exited persons, design-based (see the module docstring)."""
    import svy

    df = _frame(table).filter(pl.col("frame").is_in(PROBABILITY_FRAMES))
    exited = df.filter(pl.col("frame") == "exited")
    if exited.height == 0 or exited["persons"].sum() == 0:
        return _empty("wrong_exit_rate", threshold, True, TAYLOR)
    persons = df.filter(pl.col("persons") > 0).with_columns(
        wrong=(pl.col("wrong_exit").fill_null(False) & (pl.col("frame") == "exited")).cast(pl.Int8),
        person=pl.int_ranges(0, pl.col("persons"))).explode("person")
    households, cases = exited.height, int(exited["wrong_exit"].fill_null(False).sum())
    got = _design_prop(_sample(persons), "wrong", svy.col("frame") == "exited", n_zero=households, alpha=alpha)
    if got["zero"]:
        n_eff = min(households, households * _t_adjust(households, got["df"], alpha))
        confidence, method = exact_confidence(0.0, n_eff, threshold, True), EXACT_ZERO
    else:
        n_eff = effective_size(got["point"], got["se"], got["n"], got["df"], alpha)
        confidence, method = exact_confidence(got["point"], n_eff, threshold, True), TAYLOR
    return Rate(key="wrong_exit_rate", point=got["point"], se=got["se"], lower=got["lower"], upper=got["upper"],
                households=households, persons=int(exited["persons"].sum()), cases=cases, threshold=threshold,
                below=True, method=method, deff=got["deff"], df=got["df"], confidence=confidence, effective_n=n_eff,
                verdict=_verdict(got["lower"], got["upper"], threshold, True), villages=exited["village"].n_unique())


def approval(table, *, threshold: float = 0.90, alpha: float = ALPHA) -> Rate:
    """认可度: approving households ÷ surveyed households of the probability frames, design-based."""
    df = _frame(table).filter(pl.col("frame").is_in(PROBABILITY_FRAMES) & pl.col("approves").is_not_null())
    if df.height == 0:
        return _empty("approval", threshold, False, TAYLOR)
    df = df.with_columns(approved=pl.col("approves").cast(pl.Int8))
    cases = int(df["approved"].sum())
    result = _prop(_sample(df), "approved", alpha=alpha).to_polars()
    level = 1 if cases else 0
    row = result.filter(pl.col("approved") == level).row(0, named=True)
    point = float(row["est"]) if level else 0.0
    se, dof, n = float(row["se"]), int(row["df"]), int(row["n"])
    lower, upper = (float(row["lci"]), float(row["uci"])) if level else (1 - float(row["uci"]), 1 - float(row["lci"]))
    deff = row.get("deff")
    n_eff = effective_size(point, se, n, dof, alpha)
    everyone = cases == df.height
    if everyone or not cases or not (math.isfinite(lower) and math.isfinite(upper)):
        # all approve (or none): no variance to linearise, svy's interval is empty; the exact Clopper–Pearson
        # bound on the households (their own verdicts), df-adjusted like the 错退率's zero case
        n_exact = min(df.height, df.height * _t_adjust(df.height, dof, alpha))
        lower, upper = exact_interval(point * n_exact, n_exact, alpha)
    return Rate(key="approval", point=point, se=se, lower=lower, upper=upper, households=df.height, persons=None,
                cases=cases, threshold=threshold, below=False, method=EXACT_ZERO if everyone or not cases else TAYLOR,
                deff=None if deff is None or not math.isfinite(deff) else float(deff), df=dof,
                confidence=exact_confidence(point, n_eff, threshold, False), effective_n=n_eff,
                verdict=_verdict(lower, upper, threshold, False), villages=df["village"].n_unique())


def missed_rate(table, *, threshold: float = 0.02, alpha: float = ALPHA) -> Rate:
    """漏评率 over the purposive screen: missed persons ÷ surveyed persons, the plain ratio with an exact
    binomial interval on persons. Not a probability sample: for reference only, never a design estimate."""
    df = _frame(table).filter((pl.col("frame") == SCREEN) & pl.col("missed").is_not_null())
    persons = int(df["persons"].sum()) if df.height else 0
    if persons == 0:
        return _empty("missed_rate", threshold, True, PURPOSIVE)
    missed = int(df.filter(pl.col("missed"))["persons"].sum())
    point = missed / persons
    lower, upper = exact_interval(missed, persons, alpha)
    return Rate(key="missed_rate", point=point, se=math.sqrt(point * (1 - point) / persons), lower=lower, upper=upper,
                households=df.height, persons=persons, cases=int(df["missed"].sum()), threshold=threshold, below=True,
                method=PURPOSIVE, confidence=exact_confidence(point, persons, threshold, True), effective_n=persons,
                verdict=_verdict(lower, upper, threshold, True), villages=df["village"].n_unique())


def incidence(wrong: Rate, *, remaining_poor: int, exited_persons: int, missed_persons: int, rural_population: int,
              threshold: float = 0.02) -> Rate | None:
    """综合贫困发生率 = (remaining poor + 错退率 × the county's exited persons + missed persons found) ÷ rural
    population. The interval and the confidence carry the 错退率's through (the other parts are counts); the SE
    is the 错退率's scaled. None without a rural population."""
    if rural_population <= 0:
        return None
    base = (remaining_poor + missed_persons) / rural_population
    share = exited_persons / rural_population
    if wrong.point is None:
        point, se, lower, upper, confidence, verdict = base, None, None, None, None, NO_DATA
    else:
        point, se = base + wrong.point * share, wrong.se * share
        lower, upper = base + wrong.lower * share, base + wrong.upper * share
        # incidence < threshold exactly when the 错退率 < (threshold − base) ÷ share
        if share == 0:
            confidence = 1.0 if base < threshold else 0.0
        else:
            limit = (threshold - base) / share
            confidence = 0.0 if limit <= 0 else 1.0 if limit >= 1 else \
                exact_confidence(wrong.point, wrong.effective_n, limit, True)
        verdict = _verdict(lower, upper, threshold, True)
    return Rate(key="incidence", point=point, se=se, lower=lower, upper=upper, households=wrong.households,
                persons=rural_population, cases=remaining_poor + missed_persons, threshold=threshold, below=True,
                method=DERIVED, df=wrong.df, confidence=confidence, verdict=verdict, villages=wrong.villages)


def estimate(table, *, thresholds: dict | None = None, registry: dict | None = None, alpha: float = ALPHA) -> Estimates:
    """The three rates (and with `registry` — remaining_poor, exited_persons, rural_population — the
    incidence) of a table of surveyed households. `thresholds`: wrong_exit_rate, missed_rate, approval,
    incidence as shares (defaults 0.02, 0.02, 0.90, 0.02)."""
    limits = {"wrong_exit_rate": 0.02, "missed_rate": 0.02, "approval": 0.90, "incidence": 0.02, **(thresholds or {})}
    df = _frame(table)
    wrong = wrong_exit_rate(df, threshold=limits["wrong_exit_rate"], alpha=alpha)
    missed = missed_rate(df, threshold=limits["missed_rate"], alpha=alpha)
    rate = incidence(wrong, remaining_poor=int(registry.get("remaining_poor") or 0),
                     exited_persons=int(registry.get("exited_persons") or 0),
                     missed_persons=int(df.filter((pl.col("frame") == SCREEN) & pl.col("missed").fill_null(False))
                                        ["persons"].sum()),
                     rural_population=int(registry.get("rural_population") or 0),
                     threshold=limits["incidence"]) if registry else None
    probability = df.filter(pl.col("frame").is_in(PROBABILITY_FRAMES))
    return Estimates(wrong_exit_rate=wrong, missed_rate=missed,
                     approval=approval(df, threshold=limits["approval"], alpha=alpha), incidence=rate,
                     singleton_strata=_singletons(probability) if probability.height else [])


#: The 两不愁三保障 and water items of the questionnaire that the village exit indicators read.
GUARANTEES = ("food_clothing", "education", "medical", "housing", "water")


def per_village(table: pa.Table | pl.DataFrame) -> pl.DataFrame:
    """Per sampled village, among its surveyed households of the probability frames: households, 错退
    households of the exited ones, approving households, and for each of GUARANTEES (0/1 columns, null
    when not asked) the households meeting it of those asked. Counts, not estimates: a village's few
    households are a survey result for that village, not a design-based rate."""
    df = table if isinstance(table, pl.DataFrame) else pl.from_arrow(table)
    df = df.filter(pl.col("frame").is_in(PROBABILITY_FRAMES))
    aggs = [pl.len().alias("households"), (pl.col("frame") == "exited").sum().alias("exited"),
            pl.col("wrong_exit").fill_null(False).sum().alias("wrong_exit"),
            pl.col("approves").fill_null(False).sum().alias("approves")]
    for key in GUARANTEES:
        if key in df.columns:
            aggs += [pl.col(key).cast(pl.Int64).sum().alias(f"{key}_met"),
                     pl.col(key).is_not_null().sum().alias(f"{key}_asked")]
    return df.group_by("village").agg(aggs).sort("village")
