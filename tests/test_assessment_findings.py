"""Findings of 考核评估 (services.findings): the county's disputes, the panel's decisions, and confirmed
findings made into problem records of their villages."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from jingzhun.accounts.models import AuditEvent
from jingzhun.assessment.models import Case, CaseEvent, Dispute
from jingzhun.assessment.selectors.findings import dispute_last_day
from jingzhun.assessment.services.findings import dispute_decide, dispute_file, findings_confirm
from jingzhun.checks.models import CheckRun, Problem

from .findings_world import findings_build, sent_days_ago
from .helper_people import pdf_upload
from .notice_photos import jpeg_bytes, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def found(world):
    return findings_build(world)


def _file(world, case, **kw):
    args = {"reason": "该户 2025 年务工收入未计入，有工资流水为证", "evidence": pdf_upload("工资流水.pdf")}
    args.update(kw)
    return dispute_file(case_id=case.pk, acting_user=args.pop("user", world.county_admin), **args)


# --- the dispute period ---------------------------------------------------------------------------

def test_the_dispute_period_counts_working_days_after_the_day_the_finding_was_sent(world, found):
    case = found.cases["home"]
    # sent on Monday 29 September 2025: 30 September is the first working day, 1–8 October are the National
    # Day holidays, so the third working day is Friday 10 October
    case.notified_at = datetime.datetime(2025, 9, 29, 20, 0, tzinfo=timezone.get_current_timezone())
    assert dispute_last_day(case) == datetime.date(2025, 10, 10)
    case.assessment.dispute_days = 1
    assert dispute_last_day(case) == datetime.date(2025, 9, 30)


def test_a_finding_not_yet_sent_has_no_dispute_period(world, found):
    case = found.cases["home"]
    case.notified_at = None
    assert dispute_last_day(case) is None


# --- dispute_file ---------------------------------------------------------------------------------

def test_the_county_admin_disputes_a_finding_with_a_pdf(world, found):
    case = found.cases["home"]
    dispute = _file(world, case)
    assert dispute.decision == Dispute.Decision.PENDING and dispute.filed_by == world.county_admin
    assert dispute.evidence_name == "工资流水.pdf" and dispute.evidence.name.endswith(".pdf")
    assert dispute.evidence.read().startswith(b"%PDF-")
    assert dispute.history.count() == 1
    assert CaseEvent.objects.filter(case=case, reason__contains="工资流水").exists()
    assert AuditEvent.objects.filter(action=AuditEvent.Action.UPLOAD, detail__dispute=dispute.pk).exists()


def test_a_photo_is_evidence_too(world, found):
    dispute = _file(world, found.cases["screen"], evidence=upload("现场.jpg", jpeg_bytes()))
    assert dispute.evidence.name.endswith(".jpg")


def test_a_case_is_disputed_once(world, found):
    _file(world, found.cases["home"])
    with pytest.raises(ValidationError, match="只能申诉一次"):
        _file(world, found.cases["home"])
    assert Dispute.objects.count() == 1


def test_no_dispute_after_the_period(world, found):
    case = sent_days_ago(found.cases["home"], 30)
    with pytest.raises(ValidationError, match="申诉期限已过"):
        _file(world, case)
    assert not Dispute.objects.exists()


@pytest.mark.parametrize("kw, words", [
    ({"reason": "不对"}, "申诉理由"),
    ({"evidence": None}, "佐证材料"),
    ({"evidence": upload("假的.pdf", b"just text, not a pdf")}, "不是可以打开的"),
])
def test_bad_input_is_refused_and_changes_nothing(world, found, kw, words):
    with pytest.raises(ValidationError, match=words):
        _file(world, found.cases["home"], **kw)
    assert not Dispute.objects.exists() and not CaseEvent.objects.exists()


def test_a_case_without_a_finding_cannot_be_disputed(world, found):
    with pytest.raises(ValidationError, match="没有已反馈的评估问题"):
        _file(world, found.cases["neighbour"])


def test_only_the_county_admin_of_the_assessed_county_disputes(world, found):
    for user in (world.evaluator, world.township_officer, world.sysadmin, world.analyst):
        with pytest.raises(PermissionDenied):
            _file(world, found.cases["home"], user=user)
    with pytest.raises(Http404):  # the other county's admin: out of reach
        _file(world, found.cases["home"], user=world.outsider)
    assert not Dispute.objects.exists()


# --- dispute_decide -------------------------------------------------------------------------------

def test_headquarters_upholds_a_finding(world, found):
    case = found.cases["home"]
    _file(world, case)
    dispute = dispute_decide(case_id=case.pk, acting_user=world.evaluator, upheld=True, note="工资流水与走访不符")
    assert dispute.decision == Dispute.Decision.UPHELD and dispute.decided_by == world.evaluator
    case.refresh_from_db()
    assert case.wrong_exit is True and case.approves is False


def test_an_overturned_finding_changes_the_verdict_with_history(world, found):
    case = found.cases["home"]
    _file(world, case)
    before = case.history.count()
    dispute_decide(case_id=case.pk, acting_user=world.evaluator, upheld=False, note="工资流水属实，收入达标")
    case.refresh_from_db()
    assert (case.wrong_exit, case.approves) == (False, True)
    assert case.history.count() == before + 1
    assert case.history.first().history_change_reason == "申诉改判"
    event = CaseEvent.objects.filter(case=case).last()
    assert "改判" in event.reason and "错退、不认可" in event.reason and event.actor == world.evaluator


def test_an_overturned_missed_household_is_no_longer_missed(world, found):
    case = found.cases["screen"]
    _file(world, case)
    dispute_decide(case_id=case.pk, acting_user=world.evaluator, upheld=False, note="该户已纳入低保，收入达标")
    case.refresh_from_db()
    assert case.missed is False


def test_a_dispute_is_decided_once_by_headquarters_only(world, found):
    case = found.cases["home"]
    _file(world, case)
    for user in (found.supervisor, world.county_admin, world.sysadmin):
        with pytest.raises(PermissionDenied):
            dispute_decide(case_id=case.pk, acting_user=user, upheld=False, note="改判理由充分")
    with pytest.raises(ValidationError, match="裁定理由"):
        dispute_decide(case_id=case.pk, acting_user=world.evaluator, upheld=False, note="")
    dispute_decide(case_id=case.pk, acting_user=world.evaluator, upheld=True, note="维持原判理由")
    with pytest.raises(ValidationError, match="已裁定"):
        dispute_decide(case_id=case.pk, acting_user=world.evaluator, upheld=False, note="再改一次")
    case.refresh_from_db()
    assert case.wrong_exit is True


def test_a_case_without_a_dispute_is_not_decided(world, found):
    with pytest.raises(ValidationError, match="没有申诉"):
        dispute_decide(case_id=found.cases["home"].pk, acting_user=world.evaluator, upheld=True, note="无申诉")


# --- findings_confirm -----------------------------------------------------------------------------

def test_findings_past_their_period_become_problems_of_their_villages_with_a_deadline(world, found):
    home = sent_days_ago(found.cases["home"], 20)
    result = findings_confirm(assessment_id=found.assessment.pk, acting_user=world.evaluator, due_days=15)
    assert (result.recorded, result.waiting) == (2, 1)  # home: 错退 and 不认可; the screen is still open
    problems = {p.rule: p for p in Problem.objects.all()}
    assert set(problems) == {"PG01", "PG03"}
    due = timezone.localdate() + datetime.timedelta(days=15)
    for p in problems.values():
        assert (p.household, p.village, p.status, p.due) == (world.home.code, home.village, Problem.Status.OPEN, due)
        assert p.message.startswith("140826退出评估认定王建国")
    assert "人均纯收入 3,100 元" in problems["PG01"].message and "不认可" not in problems["PG01"].message
    assert "不认可：对退出结果" in problems["PG03"].message
    run = CheckRun.objects.get()
    assert (run.org, run.rules, run.triggered_by) == ("140826", ["PG01", "PG03"], world.evaluator)


def test_confirming_twice_records_no_second_problem_and_keeps_the_villages_work(world, found):
    sent_days_ago(found.cases["home"], 20)
    findings_confirm(assessment_id=found.assessment.pk, acting_user=world.evaluator)
    Problem.objects.update(status=Problem.Status.FIXED)
    again = findings_confirm(assessment_id=found.assessment.pk, acting_user=world.evaluator)
    assert (again.recorded, again.already) == (0, 2)
    assert Problem.objects.count() == 2 and set(Problem.objects.values_list("status", flat=True)) == {"fixed"}
    assert CheckRun.objects.count() == 1  # nothing new: no empty run either


def test_the_deadline_comes_from_the_design_else_thirty_days(world, found):
    sent_days_ago(found.cases["home"], 20)
    found.assessment.design = {"rectify_days": 10}
    found.assessment.save()
    findings_confirm(assessment_id=found.assessment.pk, acting_user=world.evaluator)
    assert set(Problem.objects.values_list("due", flat=True)) == {timezone.localdate() + datetime.timedelta(days=10)}
    with pytest.raises(ValidationError, match="整改时限"):
        findings_confirm(assessment_id=found.assessment.pk, acting_user=world.evaluator, due_days=0)


def test_the_default_deadline_is_thirty_days(world, found):
    sent_days_ago(found.cases["screen"], 20)
    findings_confirm(assessment_id=found.assessment.pk, acting_user=world.evaluator)
    assert Problem.objects.get().due == timezone.localdate() + datetime.timedelta(days=30)


def test_pending_disputes_wait_upheld_ones_are_confirmed_overturned_ones_never(world, found):
    home, screen = found.cases["home"], found.cases["screen"]
    _file(world, home)
    _file(world, screen)
    sent_days_ago(home, 20)
    sent_days_ago(screen, 20)
    assert findings_confirm(assessment_id=found.assessment.pk, acting_user=world.evaluator).waiting == 2
    assert not Problem.objects.exists()
    dispute_decide(case_id=home.pk, acting_user=world.evaluator, upheld=True, note="证据不足，维持")
    dispute_decide(case_id=screen.pk, acting_user=world.evaluator, upheld=False, note="已纳入低保，改判")
    result = findings_confirm(assessment_id=found.assessment.pk, acting_user=world.evaluator)
    assert (result.recorded, result.waiting) == (2, 0)
    assert set(Problem.objects.values_list("rule", flat=True)) == {"PG01", "PG03"}
    assert all("维持原结论" in m for m in Problem.objects.values_list("message", flat=True))


def test_a_screened_household_is_kept_under_its_case_key(world, found):
    screen = sent_days_ago(found.cases["screen"], 20)
    findings_confirm(assessment_id=found.assessment.pk, acting_user=world.evaluator)
    problem = Problem.objects.get()
    assert (problem.rule, problem.household) == ("PG02", f"S{found.assessment.pk}-{screen.order}")
    assert problem.village == screen.village
    assert "孙无名（高风险未建档户，民政低保 #12）" in problem.message


def test_only_headquarters_confirms(world, found):
    sent_days_ago(found.cases["home"], 20)
    for user in (found.supervisor, world.county_admin, world.sysadmin):
        with pytest.raises(PermissionDenied):
            findings_confirm(assessment_id=found.assessment.pk, acting_user=user)
    with pytest.raises(Http404):
        findings_confirm(assessment_id=found.assessment.pk, acting_user=world.outsider)
    assert not Problem.objects.exists()


def test_cases_not_approved_by_headquarters_are_not_findings(world, found):
    case = sent_days_ago(found.cases["home"], 20)
    Case.objects.filter(pk=case.pk).update(state=Case.State.SUPERVISOR_APPROVED)
    assert findings_confirm(assessment_id=found.assessment.pk, acting_user=world.evaluator).recorded == 0
