"""Scoped reads for the decision dashboard: the indicators of one unit and its children, computed on request."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied

from jingzhun.analytics import get_engine, registry_snapshot
from jingzhun.indicators.compute import breakdowns, indicator_table, plain_values
from jingzhun.orgunits.access import access_for
from jingzhun.orgunits.models import OrgUnit
from jingzhun.registry.selectors import unit_get

#: The code length of a unit's children (a village, 12 digits, has none).
CHILD_LENGTH = {2: 4, 4: 6, 6: 9, 9: 12}


@dataclass
class UnitFigures:
    unit: OrgUnit
    values: dict = field(default_factory=dict)  # {indicator code: value}; empty when the unit has no data


@dataclass
class Overview:
    unit: UnitFigures
    children: list[UnitFigures]
    breakdowns: dict  # CAUSES and EXITS_BY_YEAR, see indicators.compute.breakdowns
    as_of: datetime.date


def dashboard_unit_get(user, code: str) -> OrgUnit:
    """A unit whose dashboard the user may open: 404 outside their reach, PermissionDenied for a 帮扶责任人.

    A cadre reaches only their assigned households, but a unit's figures count every household in it.
    """
    if access_for(user).cadre_only:
        raise PermissionDenied("a unit's figures are beyond a cadre's households")
    return unit_get(user, code)


def overview_get(user, code: str, *, as_of: datetime.date) -> Overview:
    """The indicators of unit `code` and of each of its children, from one fresh snapshot of the unit."""
    unit = dashboard_unit_get(user, code)
    child_len = CHILD_LENGTH.get(len(code))
    lengths = (len(code), child_len) if child_len else (len(code),)
    snapshot = registry_snapshot(code)
    with get_engine() as engine:
        engine.load(snapshot, as_of=as_of)
        rows = {r.pop("org"): plain_values(r) for r in indicator_table(engine, lengths=lengths, org=code).to_pylist()}
        parts = breakdowns(engine, code)
    children = []
    if child_len:
        children = [UnitFigures(c, rows.get(c.code, {})) for c in unit.children.order_by("code")]
    return Overview(unit=UnitFigures(unit, rows.get(code, {})), children=children, breakdowns=parts, as_of=as_of)



def household_list_query(user, unit: OrgUnit) -> str | None:
    """The household-list GET filter that selects exactly `unit`'s households, or None when the list cannot.

    The list filters by 乡镇 and 村 only (and offers 乡镇 only to users bound below the province); above a
    township it is exact only when the unit is the user's own, where no filter is needed.
    """
    prefix = access_for(user).prefix
    if unit.code == prefix:
        return ""
    if len(prefix) >= 4 and len(unit.code) == 9:
        return f"township={unit.code}"
    if len(prefix) >= 4 and len(unit.code) == 12:
        return f"township={unit.code[:9]}&village={unit.code}"
    return None
