"""Running rules on an engine holding a registry snapshot."""

from __future__ import annotations

import logging
from collections.abc import Iterable

import pyarrow as pa
import pyarrow.compute as pc

from jingzhun.analytics import Engine
from jingzhun.policy import PolicyPackError, policy_pack_for

from .catalog import Rule

logger = logging.getLogger(__name__)

FINDINGS_SCHEMA = pa.schema([("rule", pa.string()), ("household", pa.string()), ("person", pa.string()),
                             ("org", pa.string()), ("message", pa.string()), ("detail", pa.string())])


#: The table of the policy packs' 小额信贷 limits, one row per county of the snapshot's loans, registered
#: for the rules that read it (Q39–Q43): thresholds are the pack's data, never numbers in the SQL.
POLICY_TABLE = "loan_policy"
_POLICY_SCHEMA = pa.schema([("county", pa.string()), ("max_amount", pa.decimal128(12, 2)),
                            ("max_term_months", pa.int32()), ("min_age", pa.int32()), ("max_age", pa.int32()),
                            ("overdue_grace_days", pa.int32()), ("npl_days", pa.int32())])


def register_loan_policy(engine: Engine) -> None:
    """Register `loan_policy`: each county's pack for the as-of year (params). A county whose pack states no
    [loans] limits gets no row, so no loan rule fires there (rather than a guessed threshold)."""
    year = engine.scalar("SELECT as_of_year FROM params")
    counties = engine.query("SELECT DISTINCT substr(household_id, 1, 6) AS county FROM loans").column("county")
    rows = []
    for county in sorted(c for c in counties.to_pylist() if c):
        try:
            rules = policy_pack_for(county, year).loans
        except PolicyPackError as exc:  # the county is left unchecked; the administrator reads why in the log
            logger.error("policy pack error, loan rules skip county %s: %s", county, exc)
            rules = None
        if rules is not None:
            rows.append({"county": county, "max_amount": rules.max_amount, "max_term_months": rules.max_term_months,
                         "min_age": rules.min_age, "max_age": rules.max_age,
                         "overdue_grace_days": rules.overdue_grace_days, "npl_days": rules.npl_days})
    engine.register(POLICY_TABLE, pa.Table.from_pylist(rows, schema=_POLICY_SCHEMA))


def run_rules(engine: Engine, rules: Iterable[Rule], *, within: str = "") -> pa.Table:
    """One row per problem: rule code, 户编号, 身份证号 (null for household rules), village code, message
    and its detail (JSON text, null for a rule without one).

    `within` (an org code, digits) keeps only the problems of households under that unit; the engine may
    hold more (a village's run sees its county, so that a rule comparing households — Q05, the same ID in
    two households — finds what the county's run would). The filter is part of each rule's query.
    """
    if within and not within.isdigit():
        raise ValueError(f"an org code is digits, not {within!r}")
    rules = list(rules)
    if any(POLICY_TABLE in rule.sql for rule in rules):
        register_loan_policy(engine)
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
