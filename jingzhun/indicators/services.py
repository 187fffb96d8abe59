"""Indicators of one org unit, from a fresh snapshot."""

from __future__ import annotations

import datetime

from jingzhun.analytics import get_engine, registry_snapshot

from .compute import breakdowns, empty_unit_values, indicator_table, plain_values


def indicators_compute(*, org: str, as_of: datetime.date) -> dict:
    """{code: value} for every indicator of the catalog, plus CAUSES and EXITS_BY_YEAR, for `org`."""
    if not org.isdigit():
        raise ValueError(f"an org code is digits, not {org!r}")
    snapshot = registry_snapshot(org)
    with get_engine() as engine:
        engine.load(snapshot, as_of=as_of)
        table = indicator_table(engine, lengths=(len(org),), org=org)
        rows = [r for r in table.to_pylist() if r["org"] == org]
        values = rows[0] if rows else empty_unit_values(engine)
        values.pop("org", None)
        result = plain_values(values)
        result.update(breakdowns(engine, org))
    return result
