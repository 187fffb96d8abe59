"""Reads of 帮扶措施, limited to the households the user reaches (a cadre: their own; a work team: its village)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from jingzhun.orgunits.access import Access, access_for
from jingzhun.orgunits.models import subtree_q
from jingzhun.orgunits.permissions import get_in_reach

from ..models import Measure, MeasureEvidence


def _access(who) -> Access:
    return who if isinstance(who, Access) else access_for(who)


def measures_for(who) -> QuerySet[Measure]:
    """Every measure of a household in reach."""
    return Measure.objects.filter(_access(who).household_q("household__")).select_related("household", "member")


def measure_get(who, measure_id: int) -> Measure:
    """One measure in reach (OutOfReach, a 404, otherwise)."""
    return get_in_reach(measures_for(who), pk=measure_id)


def evidence_get(who, evidence_id: int) -> MeasureEvidence:
    """One evidence file of a measure in reach (OutOfReach, a 404, otherwise)."""
    return get_in_reach(MeasureEvidence.objects.filter(measure__in=measures_for(who)).select_related("measure"),
                        pk=evidence_id)


def measures_filtered(who, *, year: int | None = None, type: str = "", unit: str = "",
                      continuing: str = "") -> QuerySet[Measure]:
    """The list page's rows: in reach, then by 年度, 措施类型, unit (a township's or village's code) and
    whether the measure goes on after exit (`continuing` "1" / "0")."""
    rows = measures_for(who)
    if year:
        rows = rows.filter(year=year)
    if type:
        rows = rows.filter(type=type)
    if unit:
        rows = rows.filter(subtree_q("household_id", unit))
    if continuing in ("1", "0"):
        rows = rows.filter(continues_after_exit=continuing == "1")
    return rows


def household_measures(household, access: Access) -> QuerySet[Measure]:
    """A household's measures (the page already checked the household is in reach), newest year first."""
    return (Measure.objects.filter(Q(household=household) & access.household_q("household__"))
            .select_related("member").prefetch_related("evidence").order_by("-year", "type", "start", "id"))
