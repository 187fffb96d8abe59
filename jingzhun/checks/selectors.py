"""Scoped reads of the problem ledger and the check runs for the to-do page (待办).

Problems are read through `services.problems_for` (the one place that decides which problems a user
sees); each to-do source returns `.none()` to a user whose role has no such work.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery

from jingzhun.orgunits.access import access_for
from jingzhun.orgunits.models import OrgUnit, subtree_q
from jingzhun.orgunits.permissions import may_fix_problems, may_review_exception, may_start_check_run
from jingzhun.registry.models import Household, Member
from jingzhun.runs.selectors import failed_recently

from .models import CheckRun, Problem
from .services import problems_for


def check_runs_for(user) -> QuerySet[CheckRun]:
    """Check runs over the user's unit or a unit under it (a sysadmin: all)."""
    return CheckRun.objects.filter(access_for(user).org_q("org"))


def problems_annotated(problems: QuerySet[Problem]) -> QuerySet[Problem]:
    """With the head of household's name, the affected member's name (a person's problem), the village's
    name and whether the household is in the registry (a 考核评估 finding on a screened household outside it
    is keyed by its case, and has no household page), by subqueries (no query per row)."""
    return problems.annotate(
        registered=Exists(Household.objects.filter(code=OuterRef("household"))),
        head_name=Subquery(Household.objects.filter(code=OuterRef("household")).values("head_name")[:1]),
        member_name=Subquery(Member.objects.filter(household_id=OuterRef("household"), id_number=OuterRef("person"))
                             .values("name")[:1]),
        village_name=Subquery(OrgUnit.objects.filter(code=OuterRef("village")).values("name")[:1]))


def problems_filtered(user, *, rule: str = "", status: str = "", unit: str = "", text: str = "") -> QuerySet[Problem]:
    """The problem list's filters (its page, export and the API), annotated, with each row's reviews.

    `text` is a 户编号 (or its start); an ID number matches the member or the head only for a role that
    sees ID numbers in full: a masked role must not learn whether a guessed ID number exists
    (registry.search).
    """
    problems = problems_for(user)
    if rule:
        problems = problems.filter(rule=rule)
    if status:
        problems = problems.filter(status=status)
    if unit:
        problems = problems.filter(subtree_q("village", unit))
    text = text.strip().upper()
    if text and access_for(user).sees_full_ids:
        heads = Household.objects.filter(head_id_number=text).values("code")
        problems = problems.filter(Q(household__startswith=text) | Q(person=text) | Q(household__in=heads))
    elif text:
        problems = problems.filter(household__startswith=text)
    return problems_annotated(problems).prefetch_related("reviews__by")


def todo_problems(user) -> QuerySet[Problem]:
    """Open (待整改) problems in reach, for the record keepers whose work they are; the oldest finding first.
    Problems carry no deadline of their own."""
    if not may_fix_problems(user):
        return Problem.objects.none()
    return problems_for(user).filter(status=Problem.Status.OPEN).order_by("first_seen", "pk")


def todo_claims(user) -> QuerySet[Problem]:
    """情况属实 claims in reach waiting for review, for those who review them; the oldest finding first."""
    if not may_review_exception(user):
        return Problem.objects.none()
    return (problems_for(user).filter(status=Problem.Status.EXCEPTION_PENDING).select_related("exception_by")
            .order_by("first_seen", "pk"))


def todo_failed_runs(user) -> QuerySet[CheckRun]:
    """Check runs in reach that failed lately and were not run again over the same unit since, for those
    who may start one (whoever started it)."""
    if not may_start_check_run(user):
        return CheckRun.objects.none()
    return failed_recently(check_runs_for(user), same=("org",))
