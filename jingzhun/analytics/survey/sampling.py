"""Drawing an assessment's sample: villages with probability proportional to size within strata (svy's
systematic PPS, large villages taken with certainty), then households by simple random sampling within
each sampled village and frame; and the sizes a target precision asks for.

Everything is a pure function of the frame and the seed: rows are sorted by their codes before drawing,
so the same frame (in any row order) and the same seed give the same sample.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import polars as pl
import pyarrow as pa

VILLAGE_COLUMNS = ("stratum", "village", "size")
HOUSEHOLD_COLUMNS = ("village", "frame", "household")
#: The household stage's generator is seeded apart from the village stage's, from the same seed.
_HOUSEHOLD_STREAM = 1


class SamplingError(ValueError):
    """A frame or design that cannot be drawn; the message (English, for logs) says why."""


def _frame(table: pa.Table, columns: tuple[str, ...]) -> pl.DataFrame:
    missing = [c for c in columns if c not in table.column_names]
    if missing:
        raise SamplingError(f"frame lacks columns {missing}")
    return pl.from_arrow(table.select(list(columns)))


def draw_villages(villages: pa.Table, per_stratum: Mapping[str, int], seed: int) -> pa.Table:
    """Villages drawn PPS (systematic, by `size`) within each stratum.

    `villages`: stratum, village, size (households in the frame; villages of size 0 cannot be drawn).
    `per_stratum`: villages to draw per stratum code (capped at the stratum's villages; a stratum not named
    draws none). Returns stratum, village, size, probability (inclusion probability) and order (1…), in
    stratum then village order.
    """
    import svy

    frame = _frame(villages, VILLAGE_COLUMNS).filter(pl.col("size") > 0).sort(["stratum", "village"])
    if frame["village"].n_unique() != frame.height:
        raise SamplingError("a village appears twice in the frame")
    available = dict(frame.group_by("stratum").len().iter_rows())
    wanted = {s: min(int(n), available.get(s, 0)) for s, n in per_stratum.items() if int(n) > 0 and available.get(s)}
    if not wanted:
        return pa.table({"stratum": pa.array([], pa.string()), "village": pa.array([], pa.string()),
                         "size": pa.array([], pa.int64()), "probability": pa.array([], pa.float64()),
                         "order": pa.array([], pa.int64())})
    frame = frame.filter(pl.col("stratum").is_in(list(wanted)))
    # a stratum drawn whole needs no draw (svy refuses n equal to the stratum's size with certainty units)
    whole = [s for s, n in wanted.items() if n == available[s]]
    parts = []
    if whole:
        parts.append(frame.filter(pl.col("stratum").is_in(whole)).with_columns(probability=pl.lit(1.0)))
    partial = {s: n for s, n in wanted.items() if s not in whole}
    if partial:
        sample = svy.Sample(frame.filter(pl.col("stratum").is_in(list(partial))),
                            svy.Design(stratum="stratum", psu="village", mos="size"))
        drawn = sample.sampling.pps_sys(n=partial, rstate=int(seed), certainty_threshold=1.0).data
        parts.append(drawn.select("stratum", "village", "size",
                                  pl.col("svy_prob_selection").clip(upper_bound=1.0).alias("probability")))
    out = pl.concat([p.select("stratum", "village", "size", "probability") for p in parts]).sort(["stratum", "village"])
    out = out.with_columns(order=pl.int_range(1, out.height + 1, dtype=pl.Int64))
    return out.to_arrow()


def draw_households(households: pa.Table, per_frame: Mapping[str, int], seed: int) -> pa.Table:
    """Households drawn at random within each village and frame (without replacement).

    `households`: village, frame, household (the frames of the sampled villages only). `per_frame`: how
    many per village of each frame (capped at what the village has). Returns village, frame, household
    and probability (within the village), in village, frame, household order.
    """
    frame = _frame(households, HOUSEHOLD_COLUMNS).sort(["village", "frame", "household"])
    if frame["household"].n_unique() != frame.height:
        raise SamplingError("a household appears twice in the frame")
    rng = np.random.default_rng([int(seed), _HOUSEHOLD_STREAM])
    picked: list[pl.DataFrame] = []
    for (village, kind), group in frame.group_by(["village", "frame"], maintain_order=True):
        n = min(int(per_frame.get(kind, 0)), group.height)
        if n <= 0:
            continue
        rows = np.sort(rng.choice(group.height, size=n, replace=False))
        picked.append(group[rows].with_columns(probability=pl.lit(n / group.height)))
    if not picked:
        return pa.table({"village": pa.array([], pa.string()), "frame": pa.array([], pa.string()),
                         "household": pa.array([], pa.string()), "probability": pa.array([], pa.float64())})
    return pl.concat(picked).sort(["village", "frame", "household"]).to_arrow()


def draw(villages: pa.Table, households: pa.Table, *, per_stratum: Mapping[str, int], per_frame: Mapping[str, int],
         seed: int) -> tuple[pa.Table, pa.Table]:
    """The two stages together: (sampled villages, sampled households).

    Sampled households carry stratum, village, frame, household, village_probability,
    household_probability, probability (their product), weight (its inverse) and order (1…).
    """
    sampled = draw_villages(villages, per_stratum, seed)
    chosen = pl.from_arrow(sampled)
    listing = pl.from_arrow(households.select(list(HOUSEHOLD_COLUMNS)))
    listing = listing.filter(pl.col("village").is_in(chosen["village"].implode()))
    within = pl.from_arrow(draw_households(listing.to_arrow(), per_frame, seed))
    if within.height == 0:
        within = within.with_columns(pl.col("probability").cast(pl.Float64))
    out = within.rename({"probability": "household_probability"}).join(
        chosen.select("stratum", "village", pl.col("probability").alias("village_probability")), on="village")
    out = out.with_columns(probability=pl.col("village_probability") * pl.col("household_probability"))
    out = out.with_columns(weight=1.0 / pl.col("probability")).sort(["stratum", "village", "frame", "household"])
    out = out.with_columns(order=pl.int_range(1, out.height + 1, dtype=pl.Int64))
    return sampled, out.select("stratum", "village", "frame", "household", "village_probability",
                               "household_probability", "probability", "weight", "order").to_arrow()


def sample_size(*, p: float, margin: float, deff: float = 1.0, population: int | None = None) -> int:
    """Households needed to estimate a rate near `p` within ± `margin` (95%) under design effect `deff`
    (svy's SampleSize; with `population`, the finite population correction)."""
    import svy

    if not 0 < p < 1 or not 0 < margin < 1 or deff <= 0:
        raise SamplingError("p and margin must lie in (0, 1) and deff be positive")
    size = svy.SampleSize().estimate_prop(p=p, moe=margin, deff=deff, pop_size=population) if population else \
        svy.SampleSize().estimate_prop(p=p, moe=margin, deff=deff)
    return int(math.ceil(size.n))


def margin_for(*, n: int, p: float, deff: float = 1.0, z: float = 1.959964) -> float:
    """The ± margin (95%) that `n` households buy for a rate near `p` under design effect `deff`."""
    if n <= 0:
        return math.inf
    return z * math.sqrt(deff * p * (1 - p) / n)
