"""The risk model's features (jingzhun/analytics/risk/features.sql): year t only, never the label year."""

from __future__ import annotations

import datetime

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import sqlglot
from sqlglot import exp

from jingzhun.analytics import Snapshot, get_engine
from jingzhun.analytics.risk import FEATURE_NAMES, compute_features, compute_labels
from jingzhun.analytics.risk.features import FEATURE_INPUTS, features_sql
from jingzhun.synth.risk_panel import generate_panel

from .risk_data import panel_features


def test_features_read_only_year_t_and_last_years_incomes():
    tree = sqlglot.parse_one(features_sql(), read="duckdb")
    ctes = {cte.alias for cte in tree.find_all(exp.CTE)}
    tables = {t.name for t in tree.find_all(exp.Table)} - ctes
    assert tables <= FEATURE_INPUTS and "households_after" not in tables
    assert set(FEATURE_NAMES) <= set(tree.named_selects)


def test_features_do_not_change_when_the_label_year_changes():
    panel = generate_panel(households=1_500, seed=4)
    features, labels = panel_features(panel)
    everyone_returned = panel.after["households"].set_column(
        panel.after["households"].schema.get_field_index("status"), "status",
        pa.array(["返贫"] * panel.after["households"].num_rows))
    with get_engine("duckdb", threads=1) as engine:
        engine.register("households_after", everyone_returned)  # present in the engine, still never read
        again = compute_features(engine, Snapshot(org="", tables=panel.now), as_of=datetime.date(panel.year, 12, 31),
                                 before=panel.before["households"], events=panel.events)
        relabelled = compute_labels(engine, again, everyone_returned)
    assert again.equals(features)
    assert pc.sum(relabelled.column("label")).as_py() == relabelled.num_rows != pc.sum(labels.column("label")).as_py()


def test_income_change_compares_year_t_with_the_year_before():
    panel = generate_panel(households=300, seed=8)
    features, _labels = panel_features(panel)
    now, before = panel.now["households"], panel.before["households"]

    def net(table):
        return sum(table.column(c).cast(pa.float64()).to_numpy() for c in
                   ("wage_income", "business_income", "property_income", "transfer_income")) \
            - table.column("business_expense").cast(pa.float64()).to_numpy()

    expected = dict(zip(now.column("code").to_pylist(), net(now) / net(before) - 1))
    got = dict(zip(features.column("code").to_pylist(), features.column("income_change").to_pylist()))
    assert got and all(np.isclose(got[code], expected[code]) for code in got)


def test_without_history_the_change_features_are_missing_not_zero():
    panel = generate_panel(households=200, seed=9)
    with get_engine("duckdb", threads=1) as engine:
        features = compute_features(engine, Snapshot(org="", tables=panel.now), as_of=datetime.date(panel.year, 12, 31))
    assert features.num_rows and features.column("income_change").null_count == features.num_rows


def test_only_households_not_monitored_are_scored():
    panel = generate_panel(households=2_000, seed=10)
    features, _labels = panel_features(panel)
    status = dict(zip(panel.now["households"].column("code").to_pylist(),
                      panel.now["households"].column("status").to_pylist()))
    assert {status[c] for c in features.column("code").to_pylist()} == {"已脱贫"}
    assert features.num_rows == sum(1 for s in status.values() if s == "已脱贫")


def test_past_returns_count_ledger_events_up_to_the_features_day_only():
    panel = generate_panel(households=300, seed=12)
    code = panel.now["households"].filter(pc.equal(panel.now["households"].column("status"), "已脱贫"))["code"][0].as_py()
    events = pa.table({"household": [code, code, code, code], "type": ["return", "return", "exit", "return"],
                       "effective": [datetime.date(2021, 5, 1), datetime.date(2023, 2, 1), datetime.date(2022, 1, 1),
                                     datetime.date(panel.year + 1, 3, 1)]})  # the last one is after year t
    with get_engine("duckdb", threads=1) as engine:
        features = compute_features(engine, Snapshot(org="", tables=panel.now), as_of=datetime.date(panel.year, 12, 31),
                                    events=events)
    counts = dict(zip(features.column("code").to_pylist(), features.column("past_returns").to_pylist()))
    assert counts[code] == 2 and sum(counts.values()) == 2
