"""Findings: the county's disputes (申诉) with evidence, the panel's decisions, and confirmed findings made
into problem records of their villages.

A finding is a case approved by headquarters whose verdict is 错退, 漏评 or 不认可; headquarters' approval
sends it to the county (`Case.notified_at`). The county admin may dispute it once, with a PDF or a photo,
until the end of the `Assessment.dispute_days`-th working day after the day it was sent (working days as
the monitoring module counts its time limits: the State Council's holidays and 调休 through
chinesecalendar, and the pack's [monitoring.calendar] lists where the county's pack states them).
Headquarters upholds the finding or overturns it (the verdict changes, with history and a CaseEvent).
`findings_confirm` then makes every finding that stands — its dispute period over without a dispute, or its
dispute upheld — a 待整改 problem of its village (PG01 错退, PG02 漏评, PG03 不认可) with a deadline.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jingzhun.accounts.audit import audit_record
from jingzhun.accounts.models import AuditEvent
from jingzhun.assistance.services.measures import MeasureError, evidence_check
from jingzhun.checks.services import Finding, problems_record
from jingzhun.orgunits.permissions import may_dispute_finding, may_survey, require

from ..models import Assessment, Case, CaseEvent, Dispute, Staff
from ..selectors import assessment_get, case_get, duty_of
from ..selectors.findings import (
    FINDING_Q,
    MISSED,
    NOT_APPROVING,
    WRONG_EXIT,
    confirmed_problems,
    dispute_last_day,
    finding_codes,
    household_key,
)

#: 整改时限 of a confirmed finding, in calendar days from the day it is confirmed, when neither the call
#: nor the assessment's design (`design["rectify_days"]`) says otherwise.
DEFAULT_RECTIFY_DAYS = 30
RECTIFY_DAYS_MAX = 365
REASON_MIN = 4
REASON_MAX = 2000


def _reason(text: str, message: str) -> str:
    text = (text or "").strip()
    if len(text) < REASON_MIN:
        raise ValidationError(message)
    if len(text) > REASON_MAX:
        raise ValidationError(_("理由不能超过 %(n)d 个字。") % {"n": REASON_MAX})
    return text


@transaction.atomic
def dispute_file(*, case_id: int, acting_user, reason: str, evidence, ip: str | None = None) -> Dispute:
    """县级申诉: the county admin of the assessed county disputes a finding, once, with a PDF or a photo, before
    the end of its dispute period. ValidationError (Chinese) changes nothing."""
    require(may_dispute_finding(acting_user), _("只有被评估县的县级管理员可以申诉。"))
    case_get(acting_user, case_id)
    # the county's two admins may file at once: the row lock makes the second see the first's dispute
    case = Case.objects.select_for_update().select_related("assessment").get(pk=case_id)
    if case.state != Case.State.HQ_APPROVED or case.notified_at is None or not finding_codes(case):
        raise ValidationError(_("该户没有已反馈的评估问题，无需申诉。"))
    if Dispute.objects.filter(case=case).exists():
        raise ValidationError(_("该户的评估结论已申诉过，每户只能申诉一次。"))
    last = dispute_last_day(case)
    if timezone.localdate() > last:
        raise ValidationError(_("申诉期限已过（截至 %(day)s），不能再申诉。") % {"day": last.isoformat()})
    reason = _reason(reason, _("请写明申诉理由（至少 %(n)d 个字），说明评估结论与实际情况哪里不符。") % {"n": REASON_MIN})
    if not evidence:
        raise ValidationError(_("请上传佐证材料（PDF 文件或照片）。"))
    try:
        info = evidence_check(evidence)
    except MeasureError as exc:
        raise ValidationError(exc.message) from None
    name = PurePath(evidence.name or "evidence").name[:255]
    dispute = Dispute(case=case, reason=reason, evidence_name=name, filed_by=acting_user)
    # stored under a name of ours with the suffix the content decided: a person's file name never reaches a path
    dispute.evidence.save(f"case-{case.pk}{info.suffix}", evidence, save=False)
    try:
        dispute._history_user = acting_user
        dispute._change_reason = _("县级申诉")
        dispute.save()
        CaseEvent.objects.create(case=case, from_state=case.state, to_state=case.state, actor=acting_user,
                                 reason=_("县级申诉：%(reason)s") % {"reason": reason})
        audit_record(action=AuditEvent.Action.UPLOAD, actor=acting_user, target=f"assessment case {case.pk}", ip=ip,
                     detail={"what": "dispute_evidence", "case": case.pk, "dispute": dispute.pk, "file": name,
                             "size": info.size, "sha256": info.sha256})
    except BaseException:
        dispute.evidence.delete(save=False)  # the rows roll back: the file must not stay behind
        raise
    return dispute


def _headquarters(acting_user, assessment: Assessment, message: str) -> None:
    require(may_survey(acting_user) and duty_of(acting_user, assessment) == Staff.Duty.HEADQUARTERS, message)


@transaction.atomic
def dispute_decide(*, case_id: int, acting_user, upheld: bool, note: str) -> Dispute:
    """The panel's decision on a dispute, by the assessment's headquarters: upheld (维持原结论) keeps the
    finding; overturned (改判) clears it — 错退 and 漏评 become false, 不认可 becomes 认可 — with the case's
    history and a CaseEvent naming the decision."""
    case = case_get(acting_user, case_id)
    _headquarters(acting_user, case.assessment, _("只有本次评估的评估组可以裁定申诉。"))
    dispute = Dispute.objects.select_for_update().filter(case_id=case.pk).first()
    if dispute is None:
        raise ValidationError(_("该户没有申诉，无需裁定。"))
    if dispute.decision != Dispute.Decision.PENDING:
        raise ValidationError(_("该申诉已裁定（%(decision)s），不能再改。") % {"decision": dispute.get_decision_display()})
    note = _reason(note, _("请写明裁定理由（至少 %(n)d 个字）。") % {"n": REASON_MIN})
    case = Case.objects.select_for_update().get(pk=case.pk)
    dispute.decision = Dispute.Decision.UPHELD if upheld else Dispute.Decision.OVERTURNED
    dispute.decision_note, dispute.decided_by, dispute.decided_at = note, acting_user, timezone.now()
    dispute._history_user = acting_user
    dispute._change_reason = dispute.get_decision_display()
    dispute.save()
    if upheld:
        event = _("申诉裁定：维持原结论。%(note)s") % {"note": note}
    else:
        changed = [name for name, was in ((_("错退"), case.wrong_exit is True), (_("漏评"), case.missed is True),
                                          (_("不认可"), case.approves is False)) if was]
        case.wrong_exit = False if case.wrong_exit else case.wrong_exit
        case.missed = False if case.missed else case.missed
        case.approves = True if case.approves is False else case.approves
        case._history_user = acting_user
        case._change_reason = _("申诉改判")
        case.save(update_fields=["wrong_exit", "missed", "approves"])
        event = _("申诉裁定：改判，撤销“%(findings)s”。%(note)s") % {"findings": _("、").join(changed), "note": note}
    CaseEvent.objects.create(case=case, from_state=case.state, to_state=case.state, actor=acting_user, reason=event)
    return dispute


@dataclass(frozen=True)
class Confirmed:
    """What one confirmation did: problems recorded, findings still waiting, findings confirmed before."""

    recorded: int
    waiting: int
    already: int


def rectify_days(assessment: Assessment, due_days: int | None = None) -> int:
    """整改时限 in days: the call's, else the design's `rectify_days`, else DEFAULT_RECTIFY_DAYS."""
    days = due_days if due_days is not None else assessment.design.get("rectify_days", DEFAULT_RECTIFY_DAYS)
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= RECTIFY_DAYS_MAX:
        raise ValidationError(_("整改时限应为 1 到 %(max)d 天。") % {"max": RECTIFY_DAYS_MAX})
    return days


def _message(assessment: Assessment, case: Case, code: str) -> str:
    approval = code == NOT_APPROVING
    reasons = [r.get("text", "") for r in case.reasons or [] if isinstance(r, dict)
               and (r.get("kind") == "approval") == approval and r.get("text")]
    verdict = {WRONG_EXIT: _("错退"), MISSED: _("漏评"), NOT_APPROVING: _("群众不认可")}[code]
    who = case.head_name or _("（未记户主姓名）")
    if case.household_id is None:
        who = _("%(name)s（高风险未建档户，%(source)s）") % {"name": who, "source": case.screen_source or _("立意筛查")}
    text = _("%(assessment)s认定%(who)s%(verdict)s") % {"assessment": assessment.title, "who": who, "verdict": verdict}
    if reasons:
        text += _("，理由：%(reasons)s") % {"reasons": _("；").join(reasons)}
    dispute = getattr(case, "dispute", None)
    if dispute is not None and dispute.decision == Dispute.Decision.UPHELD:
        text += _("（县级申诉后维持原结论）")
    return text + _("。")


@transaction.atomic
def findings_confirm(*, assessment_id: int, acting_user, due_days: int | None = None) -> Confirmed:
    """认定: every finding that stands becomes a 待整改 problem of its village, due in `rectify_days` days.

    A finding stands when its dispute period ended without a dispute, or its dispute was upheld; one still
    in its period or with a dispute pending waits (counted in `waiting`). Confirming again records nothing
    twice: a finding whose problem this assessment already recorded is left as the village has it.
    """
    assessment = assessment_get(acting_user, assessment_id)
    _headquarters(acting_user, assessment, _("只有本次评估的评估组可以认定评估问题。"))
    # two clicks at once: the second waits here and then finds the first one's problems
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    days = rectify_days(assessment, due_days)
    today = timezone.localdate()
    recorded_cases = {(p["rule"], p["detail"].get("case")) for p in confirmed_problems(assessment).values("rule", "detail")}
    cases = (assessment.cases.filter(FINDING_Q, state=Case.State.HQ_APPROVED, notified_at__isnull=False)
             .select_related("assessment", "dispute").order_by("order"))
    calendars: dict = {}
    findings, waiting, already = [], 0, 0
    for case in cases:
        dispute = getattr(case, "dispute", None)
        if dispute is None:
            stands = today > dispute_last_day(case, calendars=calendars)
        else:
            stands = dispute.decision == Dispute.Decision.UPHELD
        if not stands:
            waiting += 1
            continue
        for code in finding_codes(case):
            if (code, case.pk) in recorded_cases:
                already += 1
                continue
            findings.append(Finding(rule=code, household=household_key(case), village=case.village,
                                    message=_message(assessment, case, code),
                                    detail={"assessment": assessment.pk, "case": case.pk}))
    if findings:
        problems_record(org=assessment.county, findings=findings, acting_user=acting_user,
                        due=today + datetime.timedelta(days=days),
                        reason=_("考核评估问题认定：%(title)s") % {"title": assessment.title})
    return Confirmed(recorded=len(findings), waiting=waiting, already=already)
