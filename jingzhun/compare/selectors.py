"""Reads of comparison results, already limited to what the user may see (through access_for)."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from jingzhun.checks.models import Problem
from jingzhun.orgunits.access import access_for
from jingzhun.orgunits.permissions import get_in_reach, may_compare, may_review_pair
from jingzhun.runs.selectors import failed_recently

from .kinds import RULE_NAMES
from .models import CompareRun, Match, ReviewDecision, record_key


def runs_for(user):
    """Comparison runs a user may open: over their unit, a unit above it (seeing only their part) or below."""
    access = access_for(user)
    if not access.active:
        return CompareRun.objects.none()
    above = [access.prefix[:n] for n in (0, 2, 4, 6, 9, 12) if n <= len(access.prefix)]
    return CompareRun.objects.filter(Q(org__in=above) | Q(org__startswith=access.prefix))


def matches_for(user, run: CompareRun):
    """The pairs of a run in the user's reach (a cadre: their own households only)."""
    access = access_for(user)
    qs = run.matches.filter(access.org_q("village")).select_related("record")
    if access.cadre_only:
        from jingzhun.registry.selectors import households_for

        qs = qs.filter(household__in=households_for(user).values("code"))
    return qs


def review_history(run: CompareRun, matches) -> dict[int, list[ReviewDecision]]:
    """{match pk: every decision on that pair, oldest first} for pairs already in the user's reach (the
    last one is the current decision; earlier reviewers' stay listed)."""
    keys = {m.pk: (record_key(m.record.name, m.record.id_number, m.record.birth_date), m.person) for m in matches}
    by_pair: dict[tuple[str, str], list[ReviewDecision]] = {}
    rows = ReviewDecision.objects.filter(kind=run.kind, record_key__in={k for k, _p in keys.values()},
                                         person__in={p for _k, p in keys.values()}).select_related("decided_by")
    for decision in rows.order_by("decided_at", "pk"):
        by_pair.setdefault((decision.record_key, decision.person), []).append(decision)
    return {pk: by_pair.get(key, []) for pk, key in keys.items()}


def run_get(user, run_id) -> CompareRun:
    return get_in_reach(runs_for(user), pk=run_id)


def household_signals(household_code: str):
    """The comparison's problem records (BD01–BD09) of one household, newest first — for the
    identification procedure's 一比对 step. The caller has already checked the household is in reach."""
    return Problem.objects.filter(household=household_code, rule__in=list(RULE_NAMES)).order_by("-last_seen")


def todo_pairs(user) -> QuerySet[CompareRun]:
    """Comparison runs with candidate pairs in reach still waiting for a person's decision, for those who
    decide them, the oldest run first; `pending` counts the run's pairs in reach."""
    if not may_review_pair(user):
        return CompareRun.objects.none()
    access = access_for(user)
    pending = Q(matches__status=Match.Status.PENDING) & access.org_q("matches__village")
    return (runs_for(user).annotate(pending=Count("matches", filter=pending)).filter(pending__gt=0)
            .order_by("created_at", "pk"))


def todo_failed_runs(user) -> QuerySet[CompareRun]:
    """Comparisons the user may open that failed lately and were not run again (same kind and unit)
    since, for those who may compare (whoever started it)."""
    if not may_compare(user):
        return CompareRun.objects.none()
    return failed_recently(runs_for(user), same=("kind", "org"))
