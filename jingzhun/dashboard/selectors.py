"""Scoped reads for the decision dashboard: the stored indicators of a unit, its children and its past."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field


from jingzhun.checks.models import Problem
from jingzhun.indicators.models import IndicatorRefresh, UnitIndicators
from jingzhun.orgunits.access import access_for
from jingzhun.orgunits.permissions import may_view_unit_figures, require
from jingzhun.orgunits.models import OrgUnit, subtree_q
from jingzhun.registry.selectors import unit_get

#: How many daily values the trend chart shows.
TREND_POINTS = 30


@dataclass
class UnitFigures:
    unit: OrgUnit
    values: dict = field(default_factory=dict)  # {indicator code: value, CAUSES, EXITS_BY_YEAR, INCOME}; {} = no data


@dataclass
class Overview:
    unit: UnitFigures
    children: list[UnitFigures]
    refresh: IndicatorRefresh | None  # None: no refresh has finished yet (on or before the date asked)
    open_problems: int


def dashboard_unit_get(user, code: str) -> OrgUnit:
    """A unit whose dashboard the user may open: 404 outside their reach, PermissionDenied for a 帮扶责任人.

    A cadre reaches only their assigned households, but a unit's figures count every household in it.
    """
    require(may_view_unit_figures(user))
    return unit_get(user, code)


def refresh_at(day: datetime.date | None = None) -> IndicatorRefresh | None:
    """The latest finished refresh, or the latest whose as-of date is on or before `day`."""
    done = IndicatorRefresh.objects.filter(status=IndicatorRefresh.Status.DONE)
    if day is not None:
        done = done.filter(as_of__lte=day)
    return done.order_by("-id").first()


def refreshes_before(refresh: IndicatorRefresh, *, limit: int = 60) -> list[IndicatorRefresh]:
    """Earlier finished refreshes, newest first, one per as-of date: what a bulletin can compare with."""
    seen, result = set(), []
    for r in (IndicatorRefresh.objects.filter(status=IndicatorRefresh.Status.DONE, id__lt=refresh.pk,
                                              as_of__lt=refresh.as_of).order_by("-id")[: limit * 4]):
        if r.as_of not in seen:  # newest first: the day's last refresh
            seen.add(r.as_of)
            result.append(r)
    return result[:limit]


def unit_values(refresh: IndicatorRefresh | None, code: str) -> dict:
    if refresh is None:
        return {}
    row = UnitIndicators.objects.filter(refresh=refresh, org=code).values_list("values", flat=True).first()
    return row or {}


def overview_get(user, code: str, *, day: datetime.date | None = None) -> Overview:
    """Unit `code` and each of its children as stored by the latest refresh (on or before `day`)."""
    unit = dashboard_unit_get(user, code)
    refresh = refresh_at(day)
    children = list(unit.children.order_by("code"))
    stored = {}
    if refresh is not None:
        stored = dict(UnitIndicators.objects.filter(refresh=refresh, org__in=[code] + [c.code for c in children])
                      .values_list("org", "values"))
    open_problems = Problem.objects.filter(subtree_q("village", code), status=Problem.Status.OPEN).count()
    return Overview(unit=UnitFigures(unit, stored.get(code, {})),
                    children=[UnitFigures(c, stored.get(c.code, {})) for c in children],
                    refresh=refresh, open_problems=open_problems)


def trend_get(user, code: str, *, until: IndicatorRefresh | None, points: int = TREND_POINTS) -> list[tuple]:
    """[(as_of, values)] of unit `code`, oldest first, the last refresh of each day up to `until`."""
    dashboard_unit_get(user, code)
    if until is None:
        return []
    rows = (UnitIndicators.objects.filter(org=code, refresh__status=IndicatorRefresh.Status.DONE,
                                          refresh_id__lte=until.pk)
            .order_by("-refresh_id").values_list("refresh__as_of", "values")[: points * 4])
    by_day = {}
    for day, values in rows:
        by_day.setdefault(day, values)  # newest first: the first seen is the day's last refresh
    return sorted(by_day.items())[-points:]


def household_list_query(user, unit: OrgUnit) -> str | None:
    """The household-list GET filter that selects exactly `unit`'s households, or None when the list cannot.

    The list filters by 乡镇 and 村 (any in reach, and the ones above one's own unit); above a township it
    is exact only when the unit is the user's own, where no filter is needed. The problem list takes
    the same filter.
    """
    prefix = access_for(user).prefix
    if unit.code == prefix:
        return ""
    if len(unit.code) == 9:
        return f"township={unit.code}"
    if len(unit.code) == 12:
        return f"township={unit.code[:9]}&village={unit.code}"
    return None
