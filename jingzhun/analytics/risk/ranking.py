"""The steps the CLI and the monitoring pages call: train on the registry's history, rank today's registry.

Year t of the history is the registry at the start of 1 January t+1 (features, and the ledger events
recorded by then), at the start of 1 January t (last year's incomes) and at the start of 1 January t+2
(the outcome). Today's ranking reads
the live registry and its state a year ago. The caller gives the engine (`analytics.get_engine`).
"""

from __future__ import annotations

import datetime
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..engine import Engine
from ..snapshot import registry_snapshot
from .features import compute_features, compute_labels
from .history import ledger_events, registry_as_of
from .model import RiskModel, load, score, train


def _year_back(day: datetime.date) -> datetime.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def history_training_set(engine: Engine, org: str, years: list[int], *,
                         alias: str = "default") -> tuple[pa.Table, np.ndarray, dict]:
    """Features and labels of every watched household of `org` in each year of `years`, from the history.

    Returns the features (rows of all years, in year then code order), the labels in the same order, and
    what was read (per year: the three days of the history, households featured, positives).
    """
    frames, labels, read = [], [], []
    for year in sorted(set(years)):
        now = registry_as_of(org, datetime.date(year + 1, 1, 1), alias=alias)
        before = registry_as_of(org, datetime.date(year, 1, 1), alias=alias).tables["households"]
        after = registry_as_of(org, datetime.date(year + 2, 1, 1), alias=alias).tables["households"]
        events = ledger_events(org, datetime.date(year + 1, 1, 1), alias=alias)
        features = compute_features(engine, now, as_of=datetime.date(year, 12, 31), before=before, events=events)
        outcome = compute_labels(engine, features, after)
        # both are in code order; keep the households that have an outcome
        features = features.filter(pc.is_in(features.column("code"), value_set=outcome.column("code")))
        frames.append(features)
        labels.append(outcome.column("label").to_numpy())
        read.append({"year": year, "features_as_of": f"{year + 1}-01-01", "incomes_before_as_of": f"{year}-01-01",
                     "outcome_as_of": f"{year + 2}-01-01", "households": features.num_rows,
                     "positives": int(outcome.column("label").to_numpy().sum())})
    if not frames:
        raise ValueError("没有可用于训练的年度")
    return pa.concat_tables(frames), np.concatenate(labels), {"source": "registry history", "years": read}


def train_on_history(engine: Engine, org: str, years: list[int], *, seed: int, threads: int = 2,
                     alias: str = "default") -> RiskModel:
    """A model of `org` trained on its registry's history in `years` (each year t: features at the end of
    t, outcome at the end of t+1)."""
    features, labels, read = history_training_set(engine, org, years, alias=alias)
    if not features.num_rows:
        raise ValueError("历史数据中没有可训练的户（各年度均无已脱贫户的记录）")
    return train(features, labels, seed=seed, threads=threads, metadata={"org": org, "data": read})


def rank_registry(engine: Engine, org: str, model: RiskModel, *, today: datetime.date | None = None,
                  top: int | None = None, mask_personal: bool = False, alias: str = "default") -> pa.Table:
    """Today's watched households under `org`, ranked by `model` with their three main reasons
    (`model.score`'s columns; health, disability and assistance masked with `mask_personal`)."""
    today = today or datetime.date.today()
    now = registry_snapshot(org, alias=alias)
    before = registry_as_of(org, _year_back(today), alias=alias).tables["households"]
    events = ledger_events(org, today + datetime.timedelta(days=1), alias=alias)
    features = compute_features(engine, now, as_of=today, before=before, events=events)
    return score(model, features, top=top, mask_personal=mask_personal)


def screening_list(engine: Engine, village: str, *, directory: Path, mask_personal: bool,
                   today: datetime.date | None = None, alias: str = "default") -> list[dict] | None:
    """A village's 排查 list: its watched households, riskiest first, each with code, score, rank and
    reasons — from the model stored for the village's nearest unit (county, city, province), or None
    when no model is stored there. The caller has checked that the user may see the village, and says
    whether the user may see health status (`mask_personal=True` when not)."""
    model = load(directory, village)
    if model is None:
        return None
    return rank_registry(engine, village, model, today=today, mask_personal=mask_personal,
                         alias=alias).to_pylist()
