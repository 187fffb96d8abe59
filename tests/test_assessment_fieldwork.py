"""Fieldwork services (assessment.services.fieldwork): a questionnaire submitted, reviewed by the supervisor
and headquarters, each change with its event and history, refusals by duty and state, paradata."""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from jingzhun.assessment.models import Assessment, Case, CaseEvent
from jingzhun.assessment.services.fieldwork import (
    case_approve,
    case_hq_approve,
    case_hq_reject,
    case_reject,
    case_submit,
)
from jingzhun.orgunits.permissions import Refused

from .fieldwork_world import GOOD, POOR, evaluator_make, fieldwork_build

pytestmark = pytest.mark.django_db

START = datetime.datetime(2020, 11, 3, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture
def fw(world):
    return fieldwork_build(world)


def _submit(fw, case, answers=GOOD, *, by=None, client_id=None, minutes=25):
    return case_submit(case_id=case.pk, acting_user=by or fw.enumerator, answers=dict(answers), started_at=START,
                       ended_at=START + datetime.timedelta(minutes=minutes), client_id=client_id or uuid.uuid4())


def _states(case) -> list[tuple[str, str]]:
    return list(CaseEvent.objects.filter(case=case).values_list("from_state", "to_state"))


def test_submitted_questionnaire_is_judged_and_keeps_paradata(world, fw):
    case = _submit(fw, fw.cases[world.home.code], POOR, minutes=25)
    case.refresh_from_db()
    assert case.state == Case.State.COMPLETED and case.interviewer == fw.enumerator
    assert case.started_at == START and case.ended_at == START + datetime.timedelta(minutes=25)
    assert case.duration_seconds == 25 * 60
    assert case.persons == 3 and case.wrong_exit is True and case.approves is False and case.missed is None
    assert {r["kind"] for r in case.reasons} == {"income", "approval"}
    assert _states(case) == [("assigned", "completed")]
    assert case.history.first().history_change_reason == "提交问卷"


def test_a_duration_past_twelve_hours_or_negative_is_not_kept(world, fw):
    case = _submit(fw, fw.cases[world.home.code], minutes=13 * 60)
    assert case.duration_seconds is None and case.started_at == START
    case = _submit(fw, fw.cases[world.neighbour.code], minutes=-5)
    assert case.duration_seconds is None


def test_the_same_client_id_is_stored_once(world, fw):
    client_id = uuid.uuid4()
    first = _submit(fw, fw.cases[world.home.code], client_id=client_id)
    again = _submit(fw, fw.cases[world.home.code], POOR, client_id=client_id)
    assert again.pk == first.pk and again.wrong_exit is False  # the first answers stand
    assert CaseEvent.objects.filter(case=first).count() == 1


def test_wrong_answers_change_nothing_and_say_which_question(world, fw):
    case = fw.cases[world.home.code]
    with pytest.raises(ValidationError) as error:
        _submit(fw, case, {**GOOD, "persons": "0", "water": "也许"})
    messages = error.value.message_dict
    assert set(messages) == {"persons", "water"} and "家庭人口" in messages["persons"][0]
    case.refresh_from_db()
    assert case.state == Case.State.ASSIGNED and case.answers == {} and case.client_id is None
    assert not CaseEvent.objects.exists()


def test_only_the_team_submits_from_the_phone(world, fw):
    case = fw.cases[world.home.code]
    with pytest.raises(Refused):
        _submit(fw, case, by=fw.supervisor)
    with pytest.raises(Http404):  # another team's enumerator does not even see the case
        _submit(fw, case, by=fw.stranger)
    with pytest.raises(Refused):
        _submit(fw, case, by=world.county_admin)
    _submit(fw, case, by=fw.partner)  # the team's other member may


def test_supervisor_approves_then_headquarters_approves_and_a_finding_is_notified(world, fw):
    case = _submit(fw, fw.cases[world.home.code], POOR)
    case = case_approve(case_id=case.pk, acting_user=fw.supervisor)
    assert case.state == Case.State.SUPERVISOR_APPROVED and case.notified_at is None
    case = case_hq_approve(case_id=case.pk, acting_user=fw.hq)
    case.refresh_from_db()
    assert case.state == Case.State.HQ_APPROVED and case.notified_at is not None
    assert _states(case) == [("assigned", "completed"), ("completed", "sv_approved"), ("sv_approved", "hq_approved")]
    assert [e.actor for e in CaseEvent.objects.filter(case=case)] == [fw.enumerator, fw.supervisor, fw.hq]
    reasons = list(case.history.order_by("history_date", "history_id").values_list("history_change_reason", flat=True))
    assert reasons[1:] == ["提交问卷", "督导审核通过", "评估组审核通过"]  # after the row the draw made


def test_no_finding_is_not_notified(world, fw):
    case = _submit(fw, fw.cases[world.home.code], GOOD)
    case_approve(case_id=case.pk, acting_user=fw.supervisor)
    case = case_hq_approve(case_id=case.pk, acting_user=fw.hq)
    assert case.state == Case.State.HQ_APPROVED and case.notified_at is None


def test_rejected_goes_back_to_the_team_with_the_reason_and_is_redone(world, fw):
    case = _submit(fw, fw.cases[world.home.code], POOR)
    case = case_reject(case_id=case.pk, acting_user=fw.supervisor, reason="  收入漏填务工收入，请重新核实  ")
    assert case.state == Case.State.REJECTED
    event = CaseEvent.objects.filter(case=case).last()
    assert event.reason == "收入漏填务工收入，请重新核实" and event.actor == fw.supervisor
    case = _submit(fw, case, GOOD)  # a new submission from the phone, with its own client id
    assert case.state == Case.State.COMPLETED and case.wrong_exit is False
    case = case_approve(case_id=case.pk, acting_user=fw.supervisor)
    assert _states(case)[-3:] == [("completed", "rejected"), ("rejected", "completed"), ("completed", "sv_approved")]


def test_headquarters_rejects_to_the_supervisor_who_rejects_or_approves_again(world, fw):
    case = _submit(fw, fw.cases[world.home.code])
    case_approve(case_id=case.pk, acting_user=fw.supervisor)
    case = case_hq_reject(case_id=case.pk, acting_user=fw.hq, reason="认可度与理由矛盾")
    assert case.state == Case.State.HQ_REJECTED
    with pytest.raises(ValidationError):  # not the team's: they submit only assigned or rejected ones
        _submit(fw, case)
    case = case_approve(case_id=case.pk, acting_user=fw.supervisor)
    assert case.state == Case.State.SUPERVISOR_APPROVED
    case = case_hq_reject(case_id=case.pk, acting_user=fw.hq, reason="仍有矛盾")
    case = case_reject(case_id=case.pk, acting_user=fw.supervisor, reason="请重新入户")
    assert case.state == Case.State.REJECTED


@pytest.mark.parametrize("reason", ["", "   ", None, "长" * 1001])
def test_a_rejection_needs_a_reason(world, fw, reason):
    case = _submit(fw, fw.cases[world.home.code])
    with pytest.raises(ValidationError):
        case_reject(case_id=case.pk, acting_user=fw.supervisor, reason=reason)
    case_approve(case_id=case.pk, acting_user=fw.supervisor)
    with pytest.raises(ValidationError):
        case_hq_reject(case_id=case.pk, acting_user=fw.hq, reason=reason)
    case.refresh_from_db()
    assert case.state == Case.State.SUPERVISOR_APPROVED and len(_states(case)) == 2


def test_each_review_is_refused_to_the_wrong_duty(world, fw):
    case = _submit(fw, fw.cases[world.home.code])
    for who in (fw.enumerator, fw.hq, world.county_admin, world.sysadmin):
        with pytest.raises(Refused):
            case_approve(case_id=case.pk, acting_user=who)
        with pytest.raises(Refused):
            case_reject(case_id=case.pk, acting_user=who, reason="理由")
    case_approve(case_id=case.pk, acting_user=fw.supervisor)
    for who in (fw.enumerator, fw.supervisor, world.county_admin):
        with pytest.raises(Refused):
            case_hq_approve(case_id=case.pk, acting_user=who)
        with pytest.raises(Refused):
            case_hq_reject(case_id=case.pk, acting_user=who, reason="理由")
    with pytest.raises(Http404):  # out of reach: an evaluator of another county with no duty here
        case_hq_approve(case_id=case.pk, acting_user=evaluator_make("elsewhere", "140829"))
    case.refresh_from_db()
    assert case.state == Case.State.SUPERVISOR_APPROVED and len(_states(case)) == 2


def test_a_review_out_of_turn_is_refused_with_the_state(world, fw):
    case = fw.cases[world.home.code]
    with pytest.raises(ValidationError) as error:
        case_approve(case_id=case.pk, acting_user=fw.supervisor)  # still assigned
    assert "已分配" in error.value.messages[0]
    with pytest.raises(ValidationError):
        case_hq_approve(case_id=case.pk, acting_user=fw.hq)
    _submit(fw, case)
    with pytest.raises(ValidationError):  # headquarters waits for the supervisor
        case_hq_approve(case_id=case.pk, acting_user=fw.hq)
    case_approve(case_id=case.pk, acting_user=fw.supervisor)
    with pytest.raises(ValidationError):  # approved twice
        case_approve(case_id=case.pk, acting_user=fw.supervisor)
    case_hq_approve(case_id=case.pk, acting_user=fw.hq)
    with pytest.raises(ValidationError):
        case_hq_approve(case_id=case.pk, acting_user=fw.hq)
    assert len(_states(case)) == 3


def test_no_review_outside_fieldwork(world, fw):
    case = _submit(fw, fw.cases[world.home.code])
    Assessment.objects.filter(pk=fw.assessment.pk).update(state=Assessment.State.CLOSED)
    with pytest.raises(ValidationError):
        case_approve(case_id=case.pk, acting_user=fw.supervisor)
