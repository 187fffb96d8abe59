"""A synthetic risk panel with its features and labels, shared by the risk model's tests."""

from __future__ import annotations

import datetime
from functools import lru_cache

import pyarrow as pa

from jingzhun.analytics import Snapshot, get_engine
from jingzhun.analytics.risk import compute_features, compute_labels
from jingzhun.synth.risk_panel import RiskPanel, generate_panel


def panel_features(panel: RiskPanel) -> tuple[pa.Table, pa.Table]:
    """(features, labels) of a panel, through a private DuckDB engine."""
    with get_engine("duckdb", threads=2) as engine:
        features = compute_features(engine, Snapshot(org="", tables=panel.now),
                                    as_of=datetime.date(panel.year, 12, 31), before=panel.before["households"],
                                    events=panel.events)
        labels = compute_labels(engine, features, panel.after["households"])
    return features, labels


@lru_cache(maxsize=2)
def panel_set(households: int = 20_000, seed: int = 11) -> tuple[RiskPanel, pa.Table, pa.Table]:
    panel = generate_panel(households=households, seed=seed)
    return (panel, *panel_features(panel))
