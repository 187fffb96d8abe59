"""Running rules on an engine holding a registry snapshot."""

from __future__ import annotations

from collections.abc import Iterable

import pyarrow as pa
import pyarrow.compute as pc

from jingzhun.analytics import Engine

from .catalog import Rule

FINDINGS_SCHEMA = pa.schema([("rule", pa.string()), ("household", pa.string()), ("person", pa.string()),
                             ("org", pa.string()), ("message", pa.string()), ("detail", pa.string())])


def run_rules(engine: Engine, rules: Iterable[Rule], *, within: str = "") -> pa.Table:
    """One row per problem: rule code, 户编号, 身份证号 (null for household rules), village code, message
    and its detail (JSON text, null for a rule without one).

    `within` (an org code, digits) keeps only the problems of households under that unit; the engine may
    hold more (a village's run sees its county, so that a rule comparing households — Q05, the same ID in
    two households — finds what the county's run would). The filter is part of each rule's query.
    """
    if within and not within.isdigit():
        raise ValueError(f"an org code is digits, not {within!r}")
    where = f" WHERE starts_with(CAST(household AS VARCHAR), '{within}')" if within else ""
    parts = []
    for rule in rules:
        columns = engine.query(f"SELECT * FROM ({rule.sql}) AS problems LIMIT 0").column_names
        detail = "CAST(detail AS VARCHAR)" if "detail" in columns else "CAST(NULL AS VARCHAR)"
        result = engine.query(f"SELECT CAST(household AS VARCHAR) AS household, CAST(person AS VARCHAR) AS person, "
                              f"CAST(message AS VARCHAR) AS message, {detail} AS detail FROM ({rule.sql}) AS problems"
                              f"{where}")
        household = result.column("household")
        parts.append(pa.table({
            "rule": pa.array([rule.code] * result.num_rows, pa.string()),
            "household": household,
            "person": result.column("person") if rule.level == "member" else pa.nulls(result.num_rows, pa.string()),
            "org": pc.utf8_slice_codeunits(household, 0, 12),
            "message": result.column("message"),
            "detail": result.column("detail"),
        }, schema=FINDINGS_SCHEMA))
    if not parts:
        return FINDINGS_SCHEMA.empty_table()
    return pa.concat_tables(parts).sort_by([("org", "ascending"), ("household", "ascending"),
                                            ("rule", "ascending"), ("person", "ascending")])
