"""Scoped reads of the problem ledger and the check runs for the to-do page (待办).

Problems are read through `services.problems_for` (the one place that decides which problems a user
sees); each to-do source returns `.none()` to a user whose role has no such work.
"""

from __future__ import annotations

from django.db.models import QuerySet

from jingzhun.orgunits.access import access_for
from jingzhun.orgunits.permissions import may_fix_problems, may_review_exception, may_start_check_run
from jingzhun.runs.selectors import failed_recently

from .models import CheckRun, Problem
from .services import problems_for


def check_runs_for(user) -> QuerySet[CheckRun]:
    """Check runs over the user's unit or a unit under it (a sysadmin: all)."""
    return CheckRun.objects.filter(access_for(user).org_q("org"))


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
