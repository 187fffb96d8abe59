"""Computing indicators on an analytics engine, for every org unit at every level at once."""

from __future__ import annotations

from decimal import Decimal

import pyarrow as pa
from django.utils.translation import gettext_noop

from jingzhun.analytics import Engine

from .catalog import component_names, components_sql, indicator_catalog

LEVEL_LENGTHS = (2, 4, 6, 9, 12)
MONEY_COMPONENTS = frozenset({"net_income_reg"})
#: 收入结构: the income sources of 建档立卡户 (sums over households that are not 清退), by their Chinese name
#: (stored so; pages translate it when shown).
INCOME_SOURCES = {"wage_income": gettext_noop("工资性收入"), "business_income": gettext_noop("生产经营性收入"),
                  "property_income": gettext_noop("财产性收入"), "transfer_income": gettext_noop("转移性收入")}


def indicator_table(engine: Engine, *, lengths: tuple[int, ...] = LEVEL_LENGTHS, org: str = "") -> pa.Table:
    """One row per org unit (code of each length in `lengths`, under `org`), one column per indicator.

    The per-village components are computed once (a pass over every member and household) and summed
    over code prefixes — a unit is exactly the sum of its villages — and only then turned into rates,
    so a county's rate is never an average of rates.
    """
    where = f"WHERE starts_with(village, '{org}')" if org else ""
    engine.materialize("village_components", f"SELECT * FROM ({components_sql()}) AS c {where}")
    return _rolled_up(engine, lengths, org)


def _rolled_up(engine: Engine, lengths: tuple[int, ...], org: str) -> pa.Table:
    """The indicators of every unit of each length, from the village_components table."""
    # Sums of counts as BIGINT (DuckDB would widen them to a 128-bit decimal); money stays decimal.
    sums = ", ".join(f"sum({c}) AS {c}" if c in MONEY_COMPONENTS else f"CAST(sum({c}) AS BIGINT) AS {c}"
                     for c in component_names())
    values = ", ".join(f"{i.value} AS {code}" for code, i in indicator_catalog().items())
    parts = []
    for length in lengths:
        if org and length < len(org):
            continue
        parts.append(engine.query(
            f"WITH s AS (SELECT substr(village, 1, {length}) AS org, {sums} FROM village_components GROUP BY 1) "
            f"SELECT org, {values} FROM s ORDER BY org"))
    return pa.concat_tables(parts, promote_options="permissive") if parts else pa.table({})


def empty_unit_values(engine: Engine) -> dict:
    """The indicators of a unit with nothing registered (every component zero): counts 0, rates as defined."""
    zeros = ", ".join(f"0 AS {c}" for c in component_names())
    values = ", ".join(f"{i.value} AS {code}" for code, i in indicator_catalog().items())
    return engine.query(f"SELECT {values} FROM (SELECT {zeros}) AS s").to_pylist()[0]


def plain_values(row: dict) -> dict:
    """Indicator values as plain numbers (DuckDB hands money sums back as Decimal)."""
    return {k: (float(v) if isinstance(v, Decimal) else v) for k, v in row.items()}


def unit_values(engine: Engine, *, lengths: tuple[int, ...] = LEVEL_LENGTHS, org: str = "") -> dict[str, dict]:
    """{org code: values} for every unit of each length under `org`: the indicators plus CAUSES,
    EXITS_BY_YEAR, INCOME (收入结构, yuan) and RISKS (监测对象 not yet out of risk, by main 风险类型). Each breakdown is counted per village in one pass and then
    rolled up level by level over those small tables, never unit by unit."""
    units = {r.pop("org"): plain_values(r) for r in indicator_table(engine, lengths=lengths, org=org).to_pylist()}
    for values in units.values():
        values.update(CAUSES={}, EXITS_BY_YEAR={}, INCOME={}, RISKS={})
    where = f"AND starts_with(code, '{org}')" if org else ""
    village = "substr(code, 1, 12)"
    engine.materialize("village_causes", f"SELECT {village} AS village, main_cause, count(*) AS n "
                                         f"FROM household_facts WHERE registered AND main_cause IS NOT NULL {where} "
                                         f"GROUP BY 1, 2")
    engine.materialize("village_exits", f"SELECT {village} AS village, exit_year, count(*) AS households, "
                                        f"sum(member_count) AS persons FROM household_facts "
                                        f"WHERE status = '已脱贫' AND exit_year IS NOT NULL {where} GROUP BY 1, 2")
    # 风险类型 of the monitoring objects whose risk is not yet eliminated (the main risk type only)
    engine.materialize("village_risks", f"SELECT {village} AS village, risk_type, count(*) AS n "
                                        f"FROM household_facts WHERE monitored AND coalesce(risk_type, '') <> '' "
                                        f"{where} GROUP BY 1, 2")
    income = ", ".join(f"sum({c}) AS {c}" for c in INCOME_SOURCES)
    engine.materialize("village_income", f"SELECT {village} AS village, {income} FROM household_facts "
                                         f"WHERE registered {where} GROUP BY 1")
    for length in lengths:
        if org and length < len(org):
            continue
        unit = f"substr(village, 1, {length})"
        for r in engine.query(f"SELECT {unit} AS org, main_cause, CAST(sum(n) AS BIGINT) AS n FROM village_causes "
                              f"GROUP BY 1, 2 ORDER BY 1, 3 DESC, 2").to_pylist():
            units.setdefault(r["org"], {}).setdefault("CAUSES", {})[r["main_cause"]] = r["n"]
        for r in engine.query(f"SELECT {unit} AS org, risk_type, CAST(sum(n) AS BIGINT) AS n FROM village_risks "
                              f"GROUP BY 1, 2 ORDER BY 1, 3 DESC, 2").to_pylist():
            units.setdefault(r["org"], {}).setdefault("RISKS", {})[r["risk_type"]] = r["n"]
        for r in engine.query(f"SELECT {unit} AS org, exit_year, CAST(sum(households) AS BIGINT) AS households, "
                              f"CAST(sum(persons) AS BIGINT) AS persons FROM village_exits GROUP BY 1, 2 "
                              f"ORDER BY 1, 2").to_pylist():
            units.setdefault(r["org"], {}).setdefault("EXITS_BY_YEAR", {})[str(r["exit_year"])] = {
                "households": r["households"], "persons": r["persons"]}
        sums = ", ".join(f"sum({c}) AS {c}" for c in INCOME_SOURCES)
        for r in engine.query(f"SELECT {unit} AS org, {sums} FROM village_income GROUP BY 1").to_pylist():
            units.setdefault(r["org"], {})["INCOME"] = {name: round(float(r[c] or 0), 2)
                                                         for c, name in INCOME_SOURCES.items()}
    return units
