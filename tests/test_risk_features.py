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


def _with_column(table: pa.Table, name: str, values: list) -> pa.Table:
    return table.set_column(table.schema.get_field_index(name), name, pa.array(values, table.schema.field(name).type))


def test_ordinary_households_are_watched_and_monitored_ones_are_not():
    panel = generate_panel(households=400, seed=13)
    households = panel.now["households"]
    exited = [i for i, s in enumerate(households.column("status").to_pylist()) if s == "已脱贫"]
    category = households.column("category").to_pylist()
    status = households.column("status").to_pylist()
    ordinary, monitored = exited[0], exited[1]
    category[ordinary], status[ordinary] = "一般农户", None   # a 一般农户 has no 脱贫状态
    category[monitored] = "监测户"
    tables = dict(panel.now, households=_with_column(_with_column(households, "category", category), "status", status))
    with get_engine("duckdb", threads=1) as engine:
        features = compute_features(engine, Snapshot(org="", tables=tables), as_of=datetime.date(panel.year, 12, 31))
    codes = set(features.column("code").to_pylist())
    code = households.column("code").to_pylist()
    assert code[ordinary] in codes and code[monitored] not in codes
    assert len(codes) == len(exited) - 1


def test_becoming_a_monitored_household_next_year_is_a_positive_label():
    panel = generate_panel(households=400, seed=14)
    features, labels = panel_features(panel)
    after = panel.after["households"]
    quiet = [c for c, y in zip(labels.column("code").to_pylist(), labels.column("label").to_pylist()) if not y][:5]
    category = [("监测户" if c in quiet else k) for c, k in zip(after.column("code").to_pylist(),
                                                           after.column("category").to_pylist())]
    with get_engine("duckdb", threads=1) as engine:
        relabelled = compute_labels(engine, features, _with_column(after, "category", category))
    now_positive = {c for c, y in zip(relabelled.column("code").to_pylist(), relabelled.column("label").to_pylist()) if y}
    assert set(quiet) <= now_positive
    assert len(now_positive) == pc.sum(labels.column("label")).as_py() + len(quiet)
