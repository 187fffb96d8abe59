"""The risk model's features, computed in SQL over a registry snapshot through the engine layer.

Each feature is a column of `features.sql` and an entry of `FEATURES`: its words (the reason a
household is shown for, in Chinese), how its value is written, and why it does not leak the label.
The label — returned to poverty (返贫) or became a monitoring object (户类别 监测户) in year t+1 — is
made by `labels.sql` from year t+1's households, a table the features never see.

A new registry column becomes a feature by adding its column to `features.sql` and its entry here. The
monitoring fields (风险类型, 近12个月收入, 合规自付支出) are filled for 监测户 only, whom the model does
not score, so they are not features.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
from django.utils.translation import gettext_noop

from ..engine import Engine, split_statements
from ..snapshot import Snapshot, conform

SQL = Path(__file__).resolve().parent

#: the households the model watches (SQL over household_facts h): every household not monitored — a
#: 一般农户, or a 脱贫户 that is 已脱贫 (not 返贫, not 清退). A blank 户类别 (history written before the
#: registry had it) is a 脱贫户, the field's default.
WATCHED = ("coalesce(nullif(h.category, ''), '脱贫户') = '一般农户' OR "
           "(coalesce(nullif(h.category, ''), '脱贫户') = '脱贫户' AND coalesce(h.status, '') = '已脱贫')")


@dataclass(frozen=True)
class Feature:
    """One column of features.sql: its reason words, how its value is written, why it does not leak."""

    name: str
    #: what the feature is, neutrally (a reason names the feature and the household's value; the model
    #: says it raised the score, not which way a value is "bad")
    words: str
    unit: str  # "yuan", "share", "count", "age", "years", "months", "times", "flag"
    no_leak: str
    #: health, disability or social assistance: personal data that a reason may show only to those allowed
    #: to see it (`reasons(..., mask_personal=True)` writes MASKED_WORDS instead)
    personal: bool = False


FEATURES: tuple[Feature, ...] = (
    Feature("per_capita_income", gettext_noop("人均纯收入"), "yuan",
            "year t's income (income_year = t), before the outcome year"),
    Feature("income_change", gettext_noop("家庭纯收入比上年变化"), "share",
            "year t over year t−1; both years precede t+1"),
    Feature("wage_change", gettext_noop("工资性收入比上年变化"), "share",
            "year t over year t−1"),
    Feature("wage_share", gettext_noop("工资性收入占比"), "share", "year t's income mix"),
    Feature("transfer_share", gettext_noop("转移性收入占比"), "share", "year t's income mix"),
    Feature("member_count", gettext_noop("家庭人口"), "count", "year t's members (正常)"),
    Feature("labourer_count", gettext_noop("劳动力人数"), "count", "year t's able-bodied members aged 16–60"),
    Feature("dependency_ratio", gettext_noop("非劳动力占比"), "share", "year t's members"),
    Feature("elderly_count", gettext_noop("65岁以上老人"), "count", "ages at the end of year t"),
    Feature("child_count", gettext_noop("16岁以下儿童"), "count", "ages at the end of year t"),
    Feature("student_count", gettext_noop("在校生"), "count", "year t's 在校生状况"),
    Feature("serious_ill_count", gettext_noop("大病患者"), "count",
            "year t's 健康状况; an illness that starts in t+1 is not in year t's registry", personal=True),
    Feature("ill_count", gettext_noop("慢性病或大病患者"), "count", "year t's 健康状况", personal=True),
    Feature("older_chronic_count", gettext_noop("50岁以上慢性病患者"), "count", "year t's 健康状况 and ages",
            personal=True),
    Feature("disabled_count", gettext_noop("残疾人"), "count", "year t's 健康状况", personal=True),
    Feature("uninsured_count", gettext_noop("未参加基本医保人数"), "count", "year t's insurance"),
    Feature("migrant_count", gettext_noop("外出务工人数"), "count", "year t's 务工状况"),
    Feature("short_migrant_count", gettext_noop("务工不足6个月人数"), "count", "year t's 务工时间"),
    Feature("migrant_months_mean", gettext_noop("人均务工月数"), "months", "year t's 务工时间"),
    Feature("head_age", gettext_noop("户主年龄"), "age", "age at the end of year t"),
    Feature("years_since_exit", gettext_noop("脱贫年数"), "years",
            "脱贫年度 ≤ t; a household that returns in t+1 keeps its old 脱贫年度"),
    Feature("past_returns", gettext_noop("以前返贫次数"), "times",
            "ledger events effective on or before the end of year t and recorded before the features' day"),
    Feature("unsafe_housing", gettext_noop("住房为C/D级危房"), "flag", "year t's 危房等级"),
    Feature("unsafe_water", gettext_noop("饮水不安全"), "flag", "year t's 饮水安全"),
    Feature("social_assistance", gettext_noop("享受低保或特困供养"), "flag", "year t's members' 低保/特困",
            personal=True),
    Feature("past_cause_health", gettext_noop("原致贫原因为因病或因残"), "flag",
            "主要致贫原因 recorded when identified, years before t", personal=True),
    Feature("poor_village", gettext_noop("原贫困村"), "flag", "the village's status, fixed before t"),
)
FEATURE_NAMES: tuple[str, ...] = tuple(f.name for f in FEATURES)
#: what a personal reason says when masked: that such a fact weighed, not which one
MASKED_WORDS = gettext_noop("家庭成员健康或救助情况")
#: the tables features.sql may read (tests/test_risk_features.py holds it to this list)
FEATURE_INPUTS = frozenset({"households", "members", "villages", "member_facts", "household_facts",
                            "households_before", "events", "params"})
#: 动态调整台账 events as the features read them (workflows' LedgerEvent: type new/removal/return/exit/natural)
EVENTS_SCHEMA = pa.schema([("household", pa.string()), ("type", pa.string()), ("effective", pa.date32())])


def features_sql() -> str:
    """features.sql with the watched population filled in (one statement)."""
    (statement,) = split_statements((SQL / "features.sql").read_text(encoding="utf-8"))
    return statement.replace("{watched}", WATCHED)


def compute_features(engine: Engine, snapshot: Snapshot, *, as_of: datetime.date,
                     before: pa.Table | None = None, events: pa.Table | None = None) -> pa.Table:
    """The features of every watched household of `snapshot` (the registry on `as_of`: ages and years
    are reckoned on that day).

    `before` is the households table a year earlier (their incomes), or None when the registry has no
    history: the change features are then missing (NULL), which the model takes as unknown. `events`
    are the ledger's events known on `as_of` (`EVENTS_SCHEMA`), or None for none.
    """
    engine.load(snapshot, as_of=as_of)
    engine.register("households_before", before if before is not None else conform("households", pa.table({})))
    engine.register("events", events.cast(EVENTS_SCHEMA) if events is not None else EVENTS_SCHEMA.empty_table())
    return engine.query(features_sql())


def labels_sql() -> str:
    """labels.sql: 1 for a watched household of year t that is 返贫 or a 监测户 in year t+1 (households_after)."""
    (statement,) = split_statements((SQL / "labels.sql").read_text(encoding="utf-8"))
    return statement


def compute_labels(engine: Engine, codes: pa.Table, after: pa.Table) -> pa.Table:
    """code, label for `codes` (the featured households) against year t+1's households `after`.

    Households gone from the registry in t+1 (deleted, not 清退) have no outcome and are left out.
    """
    engine.register("featured", codes.select(["code"]))
    engine.register("households_after", after)
    try:
        return engine.query(labels_sql())
    finally:
        engine.unregister("households_after")
        engine.unregister("featured")
