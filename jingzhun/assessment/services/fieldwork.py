"""Fieldwork writes: a questionnaire submitted (from the phone page or an imported spreadsheet), the
supervisor's and headquarters' reviews, and the state history every change leaves.

States follow Survey Solutions: assigned → completed → the supervisor approves (sv_approved) or rejects
(rejected: back to the team with the reason, who submit again) → headquarters approves (hq_approved) or
rejects (hq_rejected: back to the supervisor, who rejects it to the team or approves it again). The duty
(Staff: 调查员, 督导员, 评估组) is per assessment; the role's half is `may_survey`.
"""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jingzhun.orgunits.permissions import may_survey, require
from jingzhun.policy.loader import policy_pack_for

from .. import questionnaire
from ..models import Assessment, Case, CaseEvent, Staff
from ..selectors import case_get, duty_of

#: States from which a team may (re)submit a questionnaire: not yet done, or sent back by the supervisor.
SUBMITTABLE = frozenset({Case.State.ASSIGNED, Case.State.REJECTED})
#: Longest interview accepted as paradata (a phone left open for a day is not a 3-day interview).
MAX_DURATION = datetime.timedelta(hours=12)


def assessment_line(assessment: Assessment) -> Decimal:
    """The income standard households are judged against: the monitoring line for a 巩固成果后评估 (when
    the pack states one), else the year's 贫困线. ValidationError (Chinese) when the pack has neither."""
    pack = policy_pack_for(assessment.county, assessment.year)
    line = pack.monitoring_line if assessment.kind == Assessment.Kind.POST and pack.monitoring_line else pack.poverty_line
    if line is None:
        raise ValidationError(_("%(year)d 年的政策包没有收入标准（贫困线或监测范围），无法判定；请先补充政策包。")
                              % {"year": assessment.year})
    return line


def case_move(case: Case, to_state: str, *, actor, reason: str = "") -> None:
    """Change a case's state and record the change (who, when, from, to, why). Inside the caller's
    transaction, on a row the caller locked."""
    CaseEvent.objects.create(case=case, from_state=case.state, to_state=to_state, actor=actor, reason=reason)
    case.state = to_state


def case_submit(*, case_id: int, acting_user, answers: dict, started_at: datetime.datetime | None = None,
                ended_at: datetime.datetime | None = None, client_id: uuid.UUID | None = None,
                imported: bool = False) -> Case:
    """完成: the questionnaire of a case, checked, judged and stored; the case becomes 已完成.

    From the phone page the interviewer must be an enumerator of the case's team; an imported spreadsheet
    (`imported`) is loaded by the assessment's headquarters or supervisor. A submission whose `client_id`
    was already stored (a sync cut off after the server kept it) returns the stored case unchanged.
    Answers that fail the questionnaire's checks raise ValidationError({question: message}) and change
    nothing.
    """
    require(may_survey(acting_user), _("只有第三方评估人员可以提交问卷。"))
    if client_id is not None:
        done = Case.objects.filter(client_id=client_id).first()
        if done is not None:
            case_get(acting_user, done.pk)  # the same reach as a fresh submission
            return done
    with transaction.atomic():
        case_get(acting_user, case_id)
        # two phones of one team may send the same household: the row lock makes the second see 已完成
        case = Case.objects.select_for_update().select_related("assessment").get(pk=case_id)
        staff = Staff.objects.filter(assessment=case.assessment, user=acting_user).first()
        if imported:
            require(staff is not None and staff.duty in (Staff.Duty.HEADQUARTERS, Staff.Duty.SUPERVISOR),
                    _("只有本次评估的评估组或督导员可以导入调查结果。"))
        else:
            require(staff is not None and staff.duty == Staff.Duty.ENUMERATOR and staff.team_id is not None
                    and staff.team_id == case.team_id, _("只有分配到该户的调查组成员可以提交问卷。"))
        if case.assessment.state != Assessment.State.FIELDWORK:
            raise ValidationError(_("该评估不在调查阶段，不能提交问卷。"))
        if case.state not in SUBMITTABLE:
            raise ValidationError(_("该户问卷状态为“%(state)s”，不能再提交；如需修改，请督导员退回。")
                                  % {"state": case.get_state_display()})
        cleaned, errors = questionnaire.clean_answers(answers, frame=case.frame)
        if errors:
            raise ValidationError(errors)
        judged = questionnaire.verdict(cleaned, frame=case.frame, line=assessment_line(case.assessment))
        case.answers = cleaned
        case.persons, case.wrong_exit, case.missed = judged.persons, judged.wrong_exit, judged.missed
        case.approves, case.reasons = judged.approves, judged.reasons
        case.started_at, case.ended_at = started_at, ended_at
        case.duration_seconds = None
        if started_at and ended_at and datetime.timedelta(0) <= ended_at - started_at <= MAX_DURATION:
            case.duration_seconds = int((ended_at - started_at).total_seconds())
        case.client_id = client_id
        case.interviewer = acting_user
        case_move(case, Case.State.COMPLETED, actor=acting_user,
                  reason=_("导入调查结果") if imported else _("提交问卷"))
        case._change_reason = _("提交问卷")
        case.save()
    return case


# --- review: the supervisor's and headquarters' approvals and rejections --------------------------------

#: Longest reason kept with a rejection (it is read on a phone).
REASON_MAX = 1000
#: What the supervisor reviews: questionnaires the team completed, and those headquarters sent back.
SUPERVISOR_REVIEWS = frozenset({Case.State.COMPLETED, Case.State.HQ_REJECTED})
#: What headquarters reviews: questionnaires the supervisor approved.
HQ_REVIEWS = frozenset({Case.State.SUPERVISOR_APPROVED})


def _reason(reason: str | None) -> str:
    text = (reason or "").strip()
    if not text:
        raise ValidationError(_("退回时请写明理由，调查组将按理由重新调查。"))
    if len(text) > REASON_MAX:
        raise ValidationError(_("退回理由不能超过 %(n)d 个字。") % {"n": REASON_MAX})
    return text


def _review(*, case_id: int, acting_user, duty: str, refused: str, allowed: frozenset, to_state: str,
            reason: str, change: str) -> Case:
    """One review step: the reviewer's reach and duty checked, the case locked, its state moved (with the
    event and a history row), and — on headquarters' approval of a finding — the county notified."""
    require(may_survey(acting_user), _("只有第三方评估人员可以审核问卷。"))
    with transaction.atomic():
        case_get(acting_user, case_id)  # out of reach is a 404, as for any reader
        # The supervisor and headquarters may press their buttons at the same moment (or twice): the row
        # lock makes the second one see the state the first left and be refused.
        case = Case.objects.select_for_update().select_related("assessment").get(pk=case_id)
        require(duty_of(acting_user, case.assessment) == duty, refused)
        if case.assessment.state != Assessment.State.FIELDWORK:
            raise ValidationError(_("该评估不在调查阶段，不能审核问卷。"))
        if case.state not in allowed:
            raise ValidationError(_("该户问卷状态为“%(state)s”，不能执行此操作。") % {"state": case.get_state_display()})
        case_move(case, to_state, actor=acting_user, reason=reason)
        fields = ["state"]
        if to_state == Case.State.HQ_APPROVED and has_finding(case) and case.notified_at is None:
            # the county's dispute period (Assessment.dispute_days) runs from here
            case.notified_at = timezone.now()
            fields.append("notified_at")
        case._change_reason = change
        case.save(update_fields=fields)
    return case


def has_finding(case: Case) -> bool:
    """Whether the verdict finds something the county is told of: 错退, 漏评 or 不认可."""
    return bool(case.wrong_exit) or bool(case.missed) or case.approves is False


def case_approve(*, case_id: int, acting_user) -> Case:
    """督导审核通过: a completed questionnaire (or one headquarters sent back) goes on to headquarters."""
    return _review(case_id=case_id, acting_user=acting_user, duty=Staff.Duty.SUPERVISOR,
                   refused=_("只有本次评估的督导员可以审核问卷。"), allowed=SUPERVISOR_REVIEWS,
                   to_state=Case.State.SUPERVISOR_APPROVED, reason="", change=_("督导审核通过"))


def case_reject(*, case_id: int, acting_user, reason: str) -> Case:
    """督导退回: the questionnaire goes back to the team with the reason; they interview again."""
    text = _reason(reason)
    return _review(case_id=case_id, acting_user=acting_user, duty=Staff.Duty.SUPERVISOR,
                   refused=_("只有本次评估的督导员可以退回问卷。"), allowed=SUPERVISOR_REVIEWS,
                   to_state=Case.State.REJECTED, reason=text, change=_("督导退回"))


def case_hq_approve(*, case_id: int, acting_user) -> Case:
    """评估组审核通过: the verdict stands; a finding is sent to the county (`notified_at`)."""
    return _review(case_id=case_id, acting_user=acting_user, duty=Staff.Duty.HEADQUARTERS,
                   refused=_("只有本次评估的评估组可以审核问卷。"), allowed=HQ_REVIEWS,
                   to_state=Case.State.HQ_APPROVED, reason="", change=_("评估组审核通过"))


def case_hq_reject(*, case_id: int, acting_user, reason: str) -> Case:
    """评估组退回: the questionnaire goes back to the supervisor, who sends it to the team or approves again."""
    text = _reason(reason)
    return _review(case_id=case_id, acting_user=acting_user, duty=Staff.Duty.HEADQUARTERS,
                   refused=_("只有本次评估的评估组可以退回问卷。"), allowed=HQ_REVIEWS,
                   to_state=Case.State.HQ_REJECTED, reason=text, change=_("评估组退回"))
