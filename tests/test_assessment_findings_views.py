"""Findings pages: the list with its deadlines and dispute states, the county's dispute form, the panel's
decision, the evidence download and the confirmation."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from jingzhun.accounts.models import AuditEvent
from jingzhun.assessment.models import Dispute
from jingzhun.checks.models import Problem

from .findings_world import findings_build, sent_days_ago
from .helper_people import pdf_upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def found(world):
    return findings_build(world)


def _as(client, user):
    client.logout()
    client.force_login(user)
    return client


def _url(name, found, case=None):
    kwargs = {"assessment_id": found.assessment.pk}
    if case is not None:
        kwargs["case_id"] = case.pk
    return reverse(f"assessment:{name}", kwargs=kwargs)


def _dispute(client, world, found, case):
    return _as(client, world.county_admin).post(_url("dispute_new", found, case), {
        "reason": "该户务工收入未计入，有工资流水", "evidence": pdf_upload("工资流水.pdf")})


def test_the_county_reads_every_finding_with_its_deadline_and_a_dispute_button(world, found, client):
    body = _as(client, world.county_admin).get(_url("findings", found)).content.decode()
    table = re.search(r'<table class="grid" id="findings">(.*?)</table>', body, re.S).group(1)
    assert "王建国" in table and "孙无名" in table and "赵德福" not in table  # the neighbour has no finding
    assert "考核评估：错退" in table and "考核评估：群众不认可" in table and "考核评估：漏评" in table
    assert "人均纯收入 3,100 元" in table and "申诉期内" in table
    assert table.count(">申诉</a>") == 2
    assert "张守业" not in body  # the other county's
    assert 'id="confirm"' not in body  # headquarters confirms


def test_findings_filter_by_kind(world, found, client):
    body = _as(client, world.county_admin).get(_url("findings", found), {"kind": "missed"}).content.decode()
    table = re.search(r'<table class="grid" id="findings">(.*?)</table>', body, re.S).group(1)
    assert "孙无名" in table and "王建国" not in table
    assert "漏评 1" in body and "错退 1" in body


def test_a_screened_household_has_no_household_link(world, found, client):
    body = _as(client, world.county_admin).get(_url("findings", found)).content.decode()
    row = re.search(rf'<tr id="case-{found.cases["screen"].pk}">(.*?)</tr>', body, re.S).group(1)
    assert "household" not in row and "未建档" in row
    home = re.search(rf'<tr id="case-{found.cases["home"].pk}">(.*?)</tr>', body, re.S).group(1)
    assert reverse("registry:household_detail", kwargs={"code": world.home.code}) in home


def test_townships_and_other_counties_do_not_read_findings(world, found, client):
    for user in (world.township_officer, world.village_clerk, world.outsider, world.cadre):
        assert _as(client, user).get(_url("findings", found)).status_code == 404, user.username


def test_the_county_admin_files_a_dispute_through_the_form(world, found, client):
    case = found.cases["home"]
    page = _as(client, world.county_admin).get(_url("dispute_new", found, case)).content.decode()
    assert 'id="dispute"' in page and 'enctype="multipart/form-data"' in page
    response = _dispute(client, world, found, case)
    assert response.status_code == 302
    dispute = Dispute.objects.get(case=case)
    assert dispute.evidence_name == "工资流水.pdf"
    body = client.get(_url("findings", found)).content.decode()
    assert "待裁定" in body and _url("dispute_evidence", found, case) in body


def test_a_bad_dispute_is_shown_again_with_the_reason_and_changes_nothing(world, found, client):
    response = _as(client, world.county_admin).post(_url("dispute_new", found, found.cases["home"]),
                                                     {"reason": "不对", "evidence": pdf_upload()})
    assert response.status_code == 200 and "申诉理由" in response.content.decode()
    assert 'id="form-errors"' in response.content.decode()
    assert not Dispute.objects.exists()


def test_a_dispute_after_the_period_is_refused_with_a_message(world, found, client):
    case = sent_days_ago(found.cases["home"], 30)
    page = _as(client, world.county_admin).get(_url("dispute_new", found, case)).content.decode()
    assert 'id="closed"' in page
    response = _dispute(client, world, found, case)
    assert response.status_code == 200 and "申诉期限已过" in response.content.decode()
    assert not Dispute.objects.exists()


def test_evaluators_and_analysts_cannot_dispute(world, found, client):
    for user in (world.evaluator, world.analyst, world.sysadmin):
        assert _as(client, user).get(_url("dispute_new", found, found.cases["home"])).status_code == 403


def test_headquarters_decides_and_the_verdict_changes(world, found, client):
    case = found.cases["home"]
    _dispute(client, world, found, case)
    body = _as(client, world.evaluator).get(_url("findings", found)).content.decode()
    assert 'class="decide"' in body and 'id="confirm"' in body
    response = client.post(_url("dispute_decide", found, case), {"decision": "overturned", "note": "工资流水属实"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.wrong_exit, case.approves) == (False, True)
    body = client.get(_url("findings", found)).content.decode()
    assert "改判" in body and "无（已改判）" in body


def test_a_decision_without_a_note_is_refused(world, found, client):
    case = found.cases["home"]
    _dispute(client, world, found, case)
    response = _as(client, world.evaluator).post(_url("dispute_decide", found, case), {"decision": "upheld"},
                                                 follow=True)
    assert "请写明裁定理由" in response.content.decode()
    assert Dispute.objects.get().decision == Dispute.Decision.PENDING


def test_the_supervisor_and_the_county_cannot_decide(world, found, client):
    case = found.cases["home"]
    _dispute(client, world, found, case)
    for user in (found.supervisor, world.county_admin):
        response = _as(client, user).post(_url("dispute_decide", found, case), {"decision": "overturned",
                                                                                "note": "改判理由"})
        assert response.status_code == 403
    assert Dispute.objects.get().decision == Dispute.Decision.PENDING


def test_the_evidence_downloads_in_reach_only_and_is_audited(world, found, client):
    case = found.cases["home"]
    _dispute(client, world, found, case)
    response = _as(client, world.evaluator).get(_url("dispute_evidence", found, case))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    assert AuditEvent.objects.filter(action=AuditEvent.Action.DOWNLOAD, detail__what="dispute_evidence").exists()
    assert _as(client, world.outsider).get(_url("dispute_evidence", found, case)).status_code == 404
    assert _as(client, world.township_officer).get(_url("dispute_evidence", found, case)).status_code == 404
    # a case without a dispute has no evidence
    assert _as(client, world.county_admin).get(_url("dispute_evidence", found, found.cases["screen"])).status_code == 404


def test_a_case_of_another_assessment_is_not_found_under_this_one(world, found, client):
    url = reverse("assessment:dispute_new", kwargs={"assessment_id": found.other.pk,
                                                    "case_id": found.cases["home"].pk})
    assert _as(client, world.county_admin).get(url).status_code == 404


def test_headquarters_confirms_and_the_problems_appear(world, found, client):
    sent_days_ago(found.cases["home"], 20)
    response = _as(client, world.evaluator).post(_url("findings_confirm", found), follow=True)
    body = response.content.decode()
    assert "已认定 2 个问题" in body and "另有 1 户仍在申诉期内" in body
    assert Problem.objects.count() == 2
    assert "已认定" in re.search(rf'<tr id="case-{found.cases["home"].pk}">(.*?)</tr>', body, re.S).group(1)
    again = client.post(_url("findings_confirm", found), follow=True).content.decode()
    assert "没有新的问题需要认定" in again and Problem.objects.count() == 2


def test_only_headquarters_confirms(world, found, client):
    sent_days_ago(found.cases["home"], 20)
    for user in (found.supervisor, world.county_admin):
        assert _as(client, user).post(_url("findings_confirm", found)).status_code == 403
    assert _as(client, world.outsider).post(_url("findings_confirm", found)).status_code == 404
    assert not Problem.objects.exists()


def test_an_evaluator_never_sees_a_full_id_number(world, found, client):
    ids = {m.id_number for h in world.households for m in h.members.all()}
    body = _as(client, world.evaluator).get(_url("findings", found)).content.decode()
    assert not {i for i in ids if i in body}
