"""Reads of findings (评估问题) and disputes, limited to what the user may see.

A finding is a case approved by headquarters and sent to the county (`notified_at`) whose verdict is 错退,
漏评 or 不认可 — or was, until a dispute overturned it. Whoever reads the assessment's cases reads its
findings (`cases_for`: the county and those above it, the evaluators with a duty there).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jingzhun.checks.models import Problem
from jingzhun.monitoring.calendar import add_working_days
from jingzhun.monitoring.standards import standards_for
from jingzhun.orgunits.permissions import may_dispute_finding, may_survey
from jingzhun.policy import PolicyPackError

from ..models import Assessment, Case, Dispute, Staff
from . import cases_for

#: Problem codes of the three verdicts (jingzhun.checks.findings names them).
WRONG_EXIT, MISSED, NOT_APPROVING = "PG01", "PG02", "PG03"

#: A case that carries a finding (before any dispute decision).
FINDING_Q = Q(wrong_exit=True) | Q(missed=True) | Q(approves=False)


@dataclass(frozen=True)
class _NoCalendar:
    """Working days without a pack's lists: chinesecalendar alone (years before 防止返贫监测 had packs)."""

    holidays: tuple = ()
    workdays: tuple = ()


def finding_codes(case: Case) -> list[str]:
    """The problem codes of a case's verdict as it now stands (empty once overturned)."""
    return [code for code, found in ((WRONG_EXIT, case.wrong_exit is True), (MISSED, case.missed is True),
                                     (NOT_APPROVING, case.approves is False)) if found]


def household_key(case: Case) -> str:
    """The 户编号 a case's problems are kept under: the registry's, or for a screened household outside the
    registry a stable key of the case (S<assessment>-<order>), which no household page answers."""
    return case.household_id if case.household_id else f"S{case.assessment_id}-{case.order}"


def dispute_last_day(case: Case, *, calendars: dict | None = None) -> datetime.date | None:
    """The last day the county may dispute the case's finding (None while it has not been sent)."""
    if case.notified_at is None:
        return None
    assessment = case.assessment
    sent = timezone.localdate(case.notified_at)
    key = (assessment.county, sent)
    if calendars is None or key not in calendars:
        try:
            calendar = standards_for(assessment.county, sent)
        except PolicyPackError:
            calendar = _NoCalendar()
        if calendars is not None:
            calendars[key] = calendar
    else:
        calendar = calendars[key]
    return add_working_days(sent, assessment.dispute_days, calendar)


def dispute_open(case: Case, *, today: datetime.date | None = None, calendars: dict | None = None) -> bool:
    """Whether the case's finding may still be disputed today (sent, not yet disputed, within the period)."""
    last = dispute_last_day(case, calendars=calendars)
    if last is None or not finding_codes(case) or case.state != Case.State.HQ_APPROVED:
        return False
    if Dispute.objects.filter(case=case).exists():
        return False
    return (today or timezone.localdate()) <= last


def confirmed_problems(assessment: Assessment) -> QuerySet[Problem]:
    """The problems an assessment's confirmation recorded (their detail names the assessment)."""
    return Problem.objects.filter(rule__in=(WRONG_EXIT, MISSED, NOT_APPROVING), detail__assessment=assessment.pk)


#: The kinds a findings page filters by: (value, label, the cases' condition).
KINDS = (("wrong_exit", _("错退"), Q(wrong_exit=True)), ("missed", _("漏评"), Q(missed=True)),
         ("not_approving", _("不认可"), Q(approves=False)), ("overturned", _("已改判"),
                                                            Q(dispute__decision=Dispute.Decision.OVERTURNED)))
#: How far back a to-do looks for findings still open to dispute (a dispute period is a few working days).
_TODO_WINDOW_DAYS = 60


def findings_for(user, assessment: Assessment) -> QuerySet[Case]:
    """The assessment's findings in reach: sent to the county, with a finding or a dispute."""
    return (cases_for(user, assessment).filter(state=Case.State.HQ_APPROVED, notified_at__isnull=False)
            .filter(FINDING_Q | Q(dispute__isnull=False)).select_related("assessment", "dispute")
            .order_by("notified_at", "order"))


@dataclass
class FindingRow:
    """One finding as its page shows it."""

    case: Case
    codes: list[str]
    last_day: datetime.date | None
    days_left: int | None
    dispute: Dispute | None
    #: 申诉期内 / 已申诉待裁定 / 维持原结论 / 改判 / 申诉期已过
    state: str
    confirmed: bool


def finding_rows(cases, *, assessment: Assessment, today: datetime.date | None = None) -> list[FindingRow]:
    """The rows of a findings page, with each one's deadline, days left and dispute state."""
    today = today or timezone.localdate()
    calendars: dict = {}
    confirmed = {p["detail"].get("case") for p in confirmed_problems(assessment).values("detail")}
    rows = []
    for case in cases:
        dispute = getattr(case, "dispute", None)
        last = dispute_last_day(case, calendars=calendars)
        if dispute is not None:
            state = dispute.get_decision_display()
        elif last is not None and today <= last:
            state = str(_("申诉期内"))
        else:
            state = str(_("申诉期已过"))
        rows.append(FindingRow(case=case, codes=finding_codes(case), last_day=last,
                               days_left=(last - today).days if last is not None and dispute is None else None,
                               dispute=dispute, state=state, confirmed=case.pk in confirmed))
    return rows


def dispute_get(user, case_id: int) -> Dispute:
    """The dispute of a case in reach; OutOfReach (404) when the case is out of reach or has none."""
    from jingzhun.orgunits.permissions import OutOfReach

    from . import case_get

    case = case_get(user, case_id)
    dispute = Dispute.objects.filter(case=case).select_related("case", "filed_by", "decided_by").first()
    if dispute is None:
        raise OutOfReach()
    return dispute


def todo_findings_to_dispute(user) -> QuerySet[Case]:
    """Findings about the county admin's county still open to dispute, the nearest deadline first (the
    period is counted in working days, so the rows are chosen here and ordered by when they were sent)."""
    if not may_dispute_finding(user):
        return Case.objects.none()
    since = timezone.now() - datetime.timedelta(days=_TODO_WINDOW_DAYS)
    candidates = (cases_for(user).filter(FINDING_Q, state=Case.State.HQ_APPROVED, notified_at__gte=since,
                                         dispute__isnull=True).select_related("assessment"))
    today, calendars = timezone.localdate(), {}
    open_ids = [c.pk for c in candidates if today <= dispute_last_day(c, calendars=calendars)]
    return Case.objects.filter(pk__in=open_ids).select_related("assessment").order_by("notified_at", "pk")


def todo_disputes_to_decide(user) -> QuerySet[Dispute]:
    """Disputes waiting for the panel's decision in the assessments where the user is headquarters."""
    if not may_survey(user):
        return Dispute.objects.none()
    headquarters = Staff.objects.filter(user_id=user.pk, duty=Staff.Duty.HEADQUARTERS).values("assessment_id")
    if not headquarters.exists():
        return Dispute.objects.none()
    return (Dispute.objects.filter(decision=Dispute.Decision.PENDING, case__in=cases_for(user),
                                   case__assessment__in=headquarters)
            .select_related("case", "case__assessment").order_by("filed_at", "pk"))
