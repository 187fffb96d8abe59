"""Computing indicators on an analytics engine, for every org unit at every level at once."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from decimal import Decimal

import pyarrow as pa
from django.utils.translation import gettext_noop

from jingzhun.analytics import Engine, Snapshot, get_engine

from .catalog import (COUNTY_LENGTH, component_names, components_sql, county_component_names, county_indicators,
                      projects_sql, village_indicators)

LEVEL_LENGTHS = (2, 4, 6, 9, 12)
MONEY_COMPONENTS = frozenset({"net_income_reg", "loan_amount", "loan_amount_year", "loan_balance",
                              "loan_overdue_balance", "fund_planned", "fund_spent"})
#: The breakdowns every unit carries beside the catalog's indicators (dicts; empty when nothing counts).
BREAKDOWNS = ("CAUSES", "EXITS_BY_YEAR", "INCOME", "RISKS", "MEASURES", "FUNDS")
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
    _components_make(engine, org)
    return _rolled_up(engine, lengths, org)


def _components_make(engine: Engine, org: str) -> None:
    where = f"WHERE starts_with(village, '{org}')" if org else ""
    engine.materialize("village_components", f"SELECT * FROM ({components_sql()}) AS c {where}")
    # projects are a county's: under a township or village org there are none (the snapshot has none either)
    county_where = f"WHERE starts_with(county, '{org}')" if org else ""
    engine.materialize("county_components", f"SELECT * FROM ({projects_sql()}) AS c {county_where}")


def _sums(names: list[str]) -> str:
    # Sums of counts as BIGINT (DuckDB would widen them to a 128-bit decimal); money stays decimal.
    return ", ".join(f"sum({c}) AS {c}" if c in MONEY_COMPONENTS else f"CAST(sum({c}) AS BIGINT) AS {c}"
                     for c in names)


def _rolled_up(engine: Engine, lengths: tuple[int, ...], org: str) -> pa.Table:
    """The indicators of every unit of each length, from the village_components (and, for counties and
    above, county_components) tables."""
    values = ", ".join(f"{i.value} AS {code}" for code, i in {**village_indicators(), **county_indicators()}.items())
    county = county_component_names()
    parts = []
    for length in lengths:
        if org and length < len(org):
            continue
        if length <= COUNTY_LENGTH:
            joined = ", ".join(f"coalesce(c.{n}, 0) AS {n}" for n in county)
            counties = (f"LEFT JOIN (SELECT substr(county, 1, {length}) AS corg, {_sums(county)} "
                        f"FROM county_components GROUP BY 1) AS c ON c.corg = s.org")
        else:  # no projects below a county: NULL, so their indicators are NULL too
            joined = ", ".join(f"CAST(NULL AS BIGINT) AS {n}" for n in county)
            counties = ""
        parts.append(engine.query(
            f"WITH s AS (SELECT substr(village, 1, {length}) AS org, {_sums(component_names())} "
            f"FROM village_components GROUP BY 1), "
            f"j AS (SELECT s.*, {joined} FROM s {counties}) "
            f"SELECT org, {values} FROM j ORDER BY org"))
    return pa.concat_tables(parts, promote_options="permissive") if parts else pa.table({})


def empty_unit_values(engine: Engine, *, length: int = COUNTY_LENGTH) -> dict:
    """The indicators of a unit with nothing registered (every component zero): counts 0, rates as defined;
    the project and fund indicators are None below a county (`length` is the unit's code length)."""
    zeros = ", ".join(f"0 AS {c}" for c in component_names() + county_component_names())
    values = ", ".join(f"{i.value} AS {code}" for code, i in {**village_indicators(), **county_indicators()}.items())
    row = engine.query(f"SELECT {values} FROM (SELECT {zeros}) AS s").to_pylist()[0]
    if length > COUNTY_LENGTH:
        row.update(dict.fromkeys(county_indicators()))
    return row


def plain_values(row: dict) -> dict:
    """Indicator values as plain numbers (DuckDB hands money sums back as Decimal)."""
    return {k: (float(v) if isinstance(v, Decimal) else v) for k, v in row.items()}


#: The small tables every unit's values are summed from: per village (per county for projects and funds).
#: Every column is additive over villages (a household lies in one village; counts of distinct households or
#: members are counts within one village), so a county's tables are its own and a province's are its
#: counties' tables put together.
BASE_TABLES = ("village_components", "county_components", "village_causes", "village_exits", "village_risks",
               "village_income", "village_measures", "county_funds")


def unit_values(engine: Engine, *, lengths: tuple[int, ...] = LEVEL_LENGTHS, org: str = "") -> dict[str, dict]:
    """{org code: values} for every unit of each length under `org`: the indicators plus CAUSES,
    EXITS_BY_YEAR, INCOME (收入结构, yuan), RISKS (监测对象 not yet out of risk, by main 风险类型), MEASURES
    (coverage per measure type) and FUNDS (衔接资金 by source). Each breakdown is counted per village in one
    pass and then rolled up level by level over those small tables, never unit by unit."""
    base_tables_make(engine, org=org)
    return rolled_up_values(engine, lengths=lengths, org=org)


def unit_values_partitioned(partitions: Sequence[str], load: Callable[[str], Snapshot], *, as_of: datetime.date,
                            lengths: tuple[int, ...] = LEVEL_LENGTHS, engine_options: dict | None = None
                            ) -> dict[str, dict]:
    """`unit_values` of the union of the partitions (counties), one partition in memory at a time.

    Each county is loaded (`load(key)`) into a fresh engine that makes its BASE_TABLES (a row per village
    or county); those small tables of all counties are then rolled up together in one engine. The values
    are exactly those of `unit_values` over one snapshot of the whole registry."""
    options = engine_options or {}
    parts: dict[str, list[pa.Table]] = {name: [] for name in BASE_TABLES}
    for key in partitions:
        with get_engine(**options) as engine:
            engine.load(load(key), as_of=as_of)
            base_tables_make(engine)
            for name in BASE_TABLES:
                parts[name].append(engine.query(f"SELECT * FROM {name}"))
    with get_engine(**options) as engine:
        engine.set_as_of(as_of)
        for name, tables in parts.items():
            engine.register(name, pa.concat_tables(tables, promote_options="permissive"))
        return rolled_up_values(engine, lengths=lengths)


def base_tables_make(engine: Engine, *, org: str = "") -> None:
    """The BASE_TABLES of the registry the engine holds (under `org`), as tables of the engine."""
    _components_make(engine, org)
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
    _assistance_tables_make(engine, org)


def rolled_up_values(engine: Engine, *, lengths: tuple[int, ...] = LEVEL_LENGTHS, org: str = "") -> dict[str, dict]:
    """`unit_values` from the BASE_TABLES the engine holds."""
    units = {r.pop("org"): plain_values(r) for r in _rolled_up(engine, lengths, org).to_pylist()}
    for values in units.values():
        values.update({name: {} for name in BREAKDOWNS})
    _assistance_breakdowns(engine, units, lengths=lengths, org=org)
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


def _assistance_tables_make(engine: Engine, org: str) -> None:
    where = f"AND starts_with(m.household_id, '{org}')" if org else ""
    engine.materialize("village_measures", f"""
        SELECT substr(m.household_id, 1, 12) AS village, m.type, count(DISTINCT m.household_id) AS n
        FROM measures m CROSS JOIN params
        JOIN household_facts h ON h.code = m.household_id
        WHERE m.year = as_of_year AND m.start <= as_of AND h.active
          AND (h.category IN ('脱贫户', '监测户') OR h.registered) {where}
        GROUP BY 1, 2""")
    county_where = f"AND starts_with(county_id, '{org}')" if org else ""
    engine.materialize("county_funds", f"""
        WITH p AS (SELECT id, county_id, state FROM projects, params WHERE year = as_of_year {county_where}),
        planned AS (SELECT p.county_id AS county, f.source, sum(f.amount) AS planned
                    FROM project_funds f JOIN p ON p.id = f.project_id WHERE p.state <> 'cancelled' GROUP BY 1, 2),
        spent AS (SELECT p.county_id AS county, s.source, sum(s.amount) AS spent,
                         sum(s.amount) FILTER (WHERE p.state = 'cancelled') AS cancelled_spent
                  FROM project_spending s JOIN p ON p.id = s.project_id CROSS JOIN params
                  WHERE s.paid_on <= as_of GROUP BY 1, 2)
        SELECT coalesce(planned.county, spent.county) AS county, coalesce(planned.source, spent.source) AS source,
               coalesce(planned, 0) + coalesce(cancelled_spent, 0) AS planned, coalesce(spent, 0) AS spent
        FROM planned FULL OUTER JOIN spent ON spent.county = planned.county AND spent.source = planned.source""")


def _assistance_breakdowns(engine: Engine, units: dict[str, dict], *, lengths: tuple[int, ...], org: str) -> None:
    """MEASURES and FUNDS of every unit, rolled up from per-village (per-county) tables like the others.

    MEASURES: {type code: {"households", "rate"}} — 脱贫户 and 监测户 (not 清退) with a measure of the type
    this year, and their share of ASST_BASE_HH (%), by households (most first); types nobody has are
    left out (pages list every type of the assistance module's vocabulary; indicators do not import it).
    FUNDS (counties and above): {source: {"planned", "spent", "rate"}} of this year's projects, every
    source with money planned or spent, 其他资金 included; a terminated project counts as planned only what
    it spent (as the 衔接资金执行 page does).
    """
    for length in lengths:
        if org and length < len(org):
            continue
        counted: dict[str, dict[str, int]] = {}
        for r in engine.query(f"SELECT substr(village, 1, {length}) AS org, type, CAST(sum(n) AS BIGINT) AS n "
                              f"FROM village_measures GROUP BY 1, 2").to_pylist():
            counted.setdefault(r["org"], {})[r["type"]] = r["n"]
        for code, mine in counted.items():
            values = units.setdefault(code, {})
            base = values.get("ASST_BASE_HH") or 0
            values["MEASURES"] = {t: {"households": n, "rate": round(100.0 * n / base, 2) if base else None}
                                  for t, n in sorted(mine.items(), key=lambda kv: (-kv[1], kv[0]))}
        if length > COUNTY_LENGTH:
            continue
        for r in engine.query(f"SELECT substr(county, 1, {length}) AS org, source, sum(planned) AS planned, "
                              f"sum(spent) AS spent FROM county_funds GROUP BY 1, 2 ORDER BY 1, 2").to_pylist():
            planned, spent = round(float(r["planned"] or 0), 2), round(float(r["spent"] or 0), 2)
            units.setdefault(r["org"], {}).setdefault("FUNDS", {})[r["source"]] = {
                "planned": planned, "spent": spent, "rate": round(100.0 * spent / planned, 2) if planned else None}
