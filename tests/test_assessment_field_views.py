"""Fieldwork pages: the enumerator's phone page (its JSON, sync, worker and manifest) and the review pages
(cases by state, one case, the supervisor's and headquarters' buttons)."""

from __future__ import annotations

import json
import re
import uuid

import pytest
from django.urls import reverse

from jingzhun.assessment.models import Case, CaseEvent
from jingzhun.assessment.services.fieldwork import case_approve, case_reject, case_submit

from .fieldwork_world import GOOD, POOR, fieldwork_build

pytestmark = pytest.mark.django_db


@pytest.fixture
def fw(world):
    return fieldwork_build(world)


def _as(client, user):
    client.logout()
    client.force_login(user)
    return client


def _sync(client, *submissions):
    return client.post(reverse("assessment:field_sync"), json.dumps({"submissions": list(submissions)}),
                       content_type="application/json")


def _item(case, answers=GOOD, client_id=None):
    return {"client_id": str(client_id or uuid.uuid4()), "case": case.pk, "started_at": "2020-11-03T09:00:00+08:00",
            "ended_at": "2020-11-03T09:31:00+08:00", "answers": answers}


def _done(fw, case, answers=GOOD):
    return case_submit(case_id=case.pk, acting_user=fw.enumerator, answers=dict(answers), client_id=uuid.uuid4())


# --- the phone page ---------------------------------------------------------------------------------

def test_the_phone_page_is_for_surveyors_and_runs_no_inline_script(world, fw, client):
    body = _as(client, fw.enumerator).get(reverse("assessment:field")).content.decode()
    assert 'id="survey-urls"' in body and "jingzhun/survey.js" in body and "jingzhun/offline.js" in body
    assert not re.search(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", body)
    assert 'style="' not in body
    for user in (world.county_admin, world.village_clerk, world.cadre):
        assert _as(client, user).get(reverse("assessment:field")).status_code == 403


def test_field_data_lists_the_team_s_cases_with_the_supervisor_s_reason(world, fw, client):
    home, neighbour = fw.cases[world.home.code], fw.cases[world.neighbour.code]
    _done(fw, home, POOR)
    case_reject(case_id=home.pk, acting_user=fw.supervisor, reason="务工收入漏填")
    data = _as(client, fw.partner).get(reverse("assessment:field_data")).json()
    rows = {row["id"]: row for row in data["cases"]}
    assert set(rows) == {home.pk, neighbour.pk}  # not the other team's
    assert rows[home.pk]["state"] == "rejected" and rows[home.pk]["rejection"] == "务工收入漏填"
    assert rows[home.pk]["answers"]["approve_exit"] == "不认可"  # taken up again from what was sent
    assert data["cases"][0]["id"] == home.pk  # the returned ones first
    assert rows[neighbour.pk]["rejection"] == "" and rows[neighbour.pk]["answers"] == {}
    keys = [i["key"] for s in data["sections"] for i in s["items"]]
    assert keys[0] == "persons" and "approve_cadres" in keys and data["csrf"]
    exit_item = next(i for s in data["sections"] for i in s["items"] if i["key"] == "approve_exit")
    assert exit_item["frames"] == ["exited"] and exit_item["required"]
    assert _as(client, fw.supervisor).get(reverse("assessment:field_data")).json()["cases"] == []


def test_sync_stores_each_questionnaire_once_with_paradata(world, fw, client):
    home, neighbour = fw.cases[world.home.code], fw.cases[world.neighbour.code]
    first, second = _item(home), _item(neighbour, POOR)
    client = _as(client, fw.enumerator)
    answer = _sync(client, first, second).json()
    assert [r["status"] for r in answer["results"]] == ["stored", "stored"]
    home.refresh_from_db()
    assert home.state == Case.State.COMPLETED and home.duration_seconds == 31 * 60
    assert home.started_at.isoformat() == "2020-11-03T01:00:00+00:00"
    again = _sync(client, first).json()  # the answer was lost on the way: the phone sends it again
    assert again["results"][0]["status"] == "already"
    assert CaseEvent.objects.filter(case=home).count() == 1
    assert Case.objects.get(pk=neighbour.pk).wrong_exit is True


def test_sync_answers_errors_per_case_and_stores_the_others(world, fw, client):
    home, neighbour, other = fw.cases[world.home.code], fw.cases[world.neighbour.code], fw.cases["other"]
    bad = _item(home, {**GOOD, "persons": "abc", "approve_policy": ""})
    answer = _sync(_as(client, fw.enumerator), bad, _item(neighbour), _item(other)).json()
    rows = {r["case"]: r for r in answer["results"]}
    assert rows[home.pk]["status"] == "invalid"
    assert set(rows[home.pk]["errors"]) == {"persons", "approve_policy"}
    assert "整数" in rows[home.pk]["errors"]["persons"] and "请回答" in rows[home.pk]["errors"]["approve_policy"]
    assert rows[neighbour.pk]["status"] == "stored"
    assert rows[other.pk]["status"] == "refused" and "不在您的调查任务中" in rows[other.pk]["error"]
    home.refresh_from_db()
    assert home.state == Case.State.ASSIGNED and home.answers == {} and not CaseEvent.objects.filter(case=home).exists()


@pytest.mark.parametrize("body", ["not json", json.dumps([1]), json.dumps({"submissions": {"a": 1}}),
                                  json.dumps({"submissions": [1, 2]})])
def test_a_malformed_sync_is_refused_with_a_message(world, fw, client, body):
    response = _as(client, fw.enumerator).post(reverse("assessment:field_sync"), body, content_type="application/json")
    assert response.status_code == 400 and response.json()["error"]
    assert not CaseEvent.objects.exists()


def test_a_submission_without_its_case_or_with_a_bad_time_says_so(world, fw, client):
    home = fw.cases[world.home.code]
    answer = _sync(_as(client, fw.enumerator), {**_item(home), "case": "x"},
                   {**_item(home), "started_at": "yesterday"}).json()
    assert [r["status"] for r in answer["results"]] == ["invalid", "invalid"]
    assert "开始时间" in answer["results"][1]["error"]


def test_worker_and_manifest(world, fw, client):
    response = _as(client, fw.enumerator).get(reverse("assessment:field_worker"))
    body = response.content.decode()
    assert response["Content-Type"].startswith("application/javascript")
    assert response["Service-Worker-Allowed"] == reverse("assessment:field")
    assert '"jingzhun-survey-"' in body and "survey.js" in body and "offline.js" in body
    client.logout()
    manifest = client.get(reverse("assessment:field_manifest")).json()
    assert manifest["start_url"] == reverse("assessment:field") and manifest["short_name"] == "入户调查"


# --- the review pages -------------------------------------------------------------------------------

def _cases_url(fw, **query):
    url = reverse("assessment:cases", kwargs={"assessment_id": fw.assessment.pk})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def _rows(body: str) -> list[str]:
    return re.findall(r'<tr data-state="(\w+)">', body)


def test_each_reviewer_opens_on_their_queue_with_counts_per_state(world, fw, client):
    home, neighbour = fw.cases[world.home.code], fw.cases[world.neighbour.code]
    _done(fw, home)
    _done(fw, neighbour)
    case_approve(case_id=neighbour.pk, acting_user=fw.supervisor)
    body = _as(client, fw.supervisor).get(_cases_url(fw)).content.decode()
    assert _rows(body) == ["completed"] and "待我审核" in body
    tabs = dict(re.findall(r'data-tab="(\w+)"[^>]*>[^<]*<b>(\d+)</b>', body))
    assert tabs["all"] == "3" and tabs["assigned"] == "1" and tabs["completed"] == "1" and tabs["sv_approved"] == "1"
    assert _rows(_as(client, fw.hq).get(_cases_url(fw)).content.decode()) == ["sv_approved"]
    assert sorted(_rows(_as(client, fw.hq).get(_cases_url(fw, state="all")).content.decode())) == [
        "assigned", "completed", "sv_approved"]
    # the enumerator reads their team's cases only; the county admin reads all of them
    assert len(_rows(_as(client, fw.enumerator).get(_cases_url(fw)).content.decode())) == 2
    assert len(_rows(_as(client, world.county_admin).get(_cases_url(fw)).content.decode())) == 3
    assert _as(client, world.village_clerk).get(_cases_url(fw)).status_code == 404
    assert _as(client, world.outsider).get(_cases_url(fw)).status_code == 404


def _detail(fw, case):
    return reverse("assessment:case_detail", kwargs={"assessment_id": fw.assessment.pk, "case_id": case.pk})


def _action(fw, case):
    return reverse("assessment:case_action", kwargs={"assessment_id": fw.assessment.pk, "case_id": case.pk})


def test_a_case_shows_answers_by_label_verdict_paradata_and_history_but_no_id_number(world, fw, client):
    home = fw.cases[world.home.code]
    case_submit(case_id=home.pk, acting_user=fw.enumerator, answers=dict(POOR), client_id=uuid.uuid4(),
                started_at=None, ended_at=None)
    case_reject(case_id=home.pk, acting_user=fw.supervisor, reason="请核实务工收入")
    body = _as(client, world.evaluator).get(_detail(fw, home)).content.decode()
    assert "你家有几口人？" in body and "工资性收入" in body and "对你家脱贫退出的结果是否认可？" in body
    assert "人均纯收入 2000.00 元，低于标准 4000.00 元" in body and "不认可：" in body
    assert "请核实务工收入" in body and "督导退回" in body and "已完成" in body
    assert world.home.head_id_number not in body
    assert 'id="review"' not in body  # an enumerator reviews nothing


def test_buttons_follow_the_duty_and_the_state(world, fw, client):
    home = fw.cases[world.home.code]
    _done(fw, home)
    body = _as(client, fw.supervisor).get(_detail(fw, home)).content.decode()
    assert 'value="approve"' in body and 'value="reject"' in body and 'value="hq_approve"' not in body
    assert 'id="review"' not in _as(client, fw.hq).get(_detail(fw, home)).content.decode()
    case_approve(case_id=home.pk, acting_user=fw.supervisor)
    body = _as(client, fw.hq).get(_detail(fw, home)).content.decode()
    assert 'value="hq_approve"' in body and 'value="hq_reject"' in body and 'value="approve"' not in body
    assert 'id="review"' not in _as(client, fw.supervisor).get(_detail(fw, home)).content.decode()


def test_review_actions_through_the_page(world, fw, client):
    home = fw.cases[world.home.code]
    _done(fw, home, POOR)
    client = _as(client, fw.supervisor)
    response = client.post(_action(fw, home), {"action": "reject", "reason": " "}, follow=True)
    assert "请写明理由" in response.content.decode()
    assert Case.objects.get(pk=home.pk).state == Case.State.COMPLETED
    client.post(_action(fw, home), {"action": "approve"})
    assert Case.objects.get(pk=home.pk).state == Case.State.SUPERVISOR_APPROVED
    response = client.post(_action(fw, home), {"action": "approve"}, follow=True)  # twice: said, not done
    assert "不能执行此操作" in response.content.decode()
    assert _as(client, fw.enumerator).post(_action(fw, home), {"action": "hq_approve"}).status_code == 403
    assert _as(client, fw.hq).get(_action(fw, home)).status_code == 302  # a GET goes back to the case
    client.post(_action(fw, home), {"action": "hq_approve"})
    home.refresh_from_db()
    assert home.state == Case.State.HQ_APPROVED and home.notified_at is not None
    assert _as(client, world.outsider).post(_action(fw, home), {"action": "hq_reject", "reason": "x"}).status_code == 404


def test_the_menu_offers_the_survey_page_to_evaluators_only(world, fw, client):
    field = reverse("assessment:field")
    assert f'href="{field}"' in _as(client, fw.enumerator).get(reverse("desk:todo")).content.decode()
    assert f'href="{field}"' not in _as(client, world.county_admin).get(reverse("desk:todo")).content.decode()
