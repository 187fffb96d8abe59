"""Reads of 考核评估, limited to what the user may see.

An assessment belongs to a county. Those who reach the whole county (the county admin, analysts and
evaluators bound at the county or above, the system administrator) read it; an evaluator with a duty in
it (Staff) reads it wherever they are bound, since 三回避 sends them to counties not their own. Townships
and villages read no assessment: its findings reach them as problem records; nor do departments
(县直部门), who answer for ledger items, not for the registry's survey. An enumerator works the
cases of their own team; a supervisor and headquarters all the cases of the assessment.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from jingzhun.orgunits.access import Access, access_for
from jingzhun.orgunits.permissions import get_in_reach
from jingzhun.orgunits.roles import Role

from ..models import Assessment, Case, Staff

COUNTY_LENGTH = 6


def _access(who) -> Access:
    return who if isinstance(who, Access) else access_for(who)


def assessments_for(user) -> QuerySet[Assessment]:
    """Assessments in the user's reach (see the module docstring)."""
    access = _access(user)
    if not access.active or access.cadre_only or access.role == Role.DEPARTMENT:
        return Assessment.objects.none()
    reach = Q(pk__in=[])
    if len(access.prefix) <= COUNTY_LENGTH:
        reach = access.org_q("county")
    if access.role == Role.EVALUATOR and access.user_id is not None:
        reach |= Q(pk__in=Staff.objects.filter(user_id=access.user_id).values("assessment_id"))
    return Assessment.objects.filter(reach)


def assessment_get(user, assessment_id: int) -> Assessment:
    """One assessment in reach; OutOfReach (a 404, audited) for one outside it."""
    return get_in_reach(assessments_for(user), pk=assessment_id)


def duty_of(user, assessment: Assessment) -> str:
    """The user's duty in the assessment (Staff.Duty value), or "" when they have none."""
    if user is None or not getattr(user, "pk", None):
        return ""
    return Staff.objects.filter(assessment=assessment, user_id=user.pk).values_list("duty", flat=True).first() or ""


def cases_for(user, assessment: Assessment | None = None) -> QuerySet[Case]:
    """Cases of the assessments in reach; in an assessment where the user is an enumerator, only the cases
    of their own team (a supervisor, headquarters and those reaching the county read them all)."""
    access = _access(user)
    visible = assessments_for(access)
    if assessment is not None:
        visible = visible.filter(pk=assessment.pk)
    cases = Case.objects.filter(assessment__in=visible.values("pk"))
    if access.user_id is not None:
        enumerating = Staff.objects.filter(user_id=access.user_id, duty=Staff.Duty.ENUMERATOR)
        cases = cases.exclude(Q(assessment__in=enumerating.values("assessment_id"))
                              & ~Q(team__in=enumerating.exclude(team=None).values("team_id")))
    return cases


def case_get(user, case_id: int) -> Case:
    """One case in reach; OutOfReach (a 404, audited) for one outside it."""
    return get_in_reach(cases_for(user).select_related("assessment", "household", "team"), pk=case_id)
