"""/api/v1/assessment/: the enumerator's survey assignments (the tablet's sync) and the survey results."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from jingzhun.assessment.models import Case
from jingzhun.assessment.services.fieldwork import case_reject, case_submit

from .api_helpers import all_pages, api_client
from .fieldwork_world import GOOD, POOR, fieldwork_build
from .people import XIAGAOCHI

pytestmark = pytest.mark.django_db

ASSIGNMENTS = "/api/v1/assessment/assignments/"
RESULTS = "/api/v1/assessment/results/"


@pytest.fixture
def fw(world):
    return fieldwork_build(world)


def _submit(fw, case, answers, by=None) -> Case:
    start = timezone.now() - datetime.timedelta(minutes=30)
    return case_submit(case_id=case.pk, acting_user=by or fw.enumerator, answers=dict(answers), started_at=start,
                       ended_at=timezone.now())


def _ids(rows) -> set[int]:
    return {row["id"] for row in rows}


# --- survey assignments ---------------------------------------------------------------------------------

def test_an_enumerator_syncs_the_cases_of_their_own_team(world, fw):
    rows = all_pages(api_client(fw.enumerator), ASSIGNMENTS)
    assert _ids(rows) == {fw.cases[world.home.code].pk, fw.cases[world.neighbour.code].pk}
    home = next(r for r in rows if r["id"] == fw.cases[world.home.code].pk)
    assert home["team"] == "第1组" and home["head_name"] == world.home.head_name and home["state"] == "assigned"
    assert home["village"] == XIAGAOCHI and home["village_name"] and home["assessment_title"] == "绛县贫困县退出评估"
    assert _ids(all_pages(api_client(fw.stranger), ASSIGNMENTS)) == {fw.cases["other"].pk}
    assert all_pages(api_client(fw.supervisor), ASSIGNMENTS) == []  # no team: nothing to interview


def test_a_returned_case_comes_back_with_the_reason_and_its_answers(world, fw):
    case = fw.cases[world.home.code]
    _submit(fw, case, GOOD)
    assert case.pk not in _ids(all_pages(api_client(fw.enumerator), ASSIGNMENTS))  # done: off the tablet
    case_reject(case_id=case.pk, acting_user=fw.supervisor, reason="收入漏填了务工收入")
    row = next(r for r in all_pages(api_client(fw.enumerator), ASSIGNMENTS) if r["id"] == case.pk)
    assert row["state"] == "rejected" and row["rejection"] == "收入漏填了务工收入"
    assert row["answers"]["wage"] in ("24000", 24000, "24000.00")


def test_only_surveyors_read_assignments(world, fw):
    for user in (world.county_admin, world.analyst, world.village_clerk, world.cadre, world.department):
        response = api_client(user).get(ASSIGNMENTS)
        assert response.status_code == 403 and response.json()["code"] == "permission_denied", user.username
    assert api_client(world.sysadmin).get(ASSIGNMENTS).status_code == 200


# --- survey results -------------------------------------------------------------------------------------

@pytest.fixture
def submitted(world, fw):
    _submit(fw, fw.cases[world.home.code], GOOD)
    _submit(fw, fw.cases[world.neighbour.code], POOR, by=fw.partner)
    _submit(fw, fw.cases["other"], GOOD, by=fw.stranger)
    return fw


def test_results_are_the_submitted_cases_in_reach(world, submitted):
    fw = submitted
    every = {c.pk for c in fw.cases.values()}
    assert _ids(all_pages(api_client(world.county_admin), RESULTS)) == every
    assert _ids(all_pages(api_client(world.analyst), RESULTS)) == every
    assert all_pages(api_client(world.outsider), RESULTS) == []  # another county's admin
    # an enumerator reads their own team's cases only; the supervisor all of the assessment's
    assert _ids(all_pages(api_client(fw.enumerator), RESULTS)) == every - {fw.cases["other"].pk}
    assert _ids(all_pages(api_client(fw.supervisor), RESULTS)) == every


def test_a_case_not_yet_submitted_is_no_result(world, fw):
    _submit(fw, fw.cases[world.home.code], GOOD)
    assert _ids(all_pages(api_client(world.county_admin), RESULTS)) == {fw.cases[world.home.code].pk}


def test_a_result_carries_the_verdict_its_reasons_and_the_paradata(world, submitted):
    rows = {r["id"]: r for r in all_pages(api_client(world.county_admin), RESULTS)}
    poor = rows[submitted.cases[world.neighbour.code].pk]
    assert poor["wrong_exit"] is True and poor["approves"] is False and poor["reasons"]
    assert poor["interviewer"] == "enumerator2" and poor["duration_seconds"] and poor["county"] == "140826"
    good = rows[submitted.cases[world.home.code].pk]
    assert good["wrong_exit"] is False and good["reasons"] == [] and good["state"] == "completed"
    assert world.home.head_id_number not in str(rows)


def test_results_filter_by_assessment_state_frame_and_unit(world, submitted):
    fw = submitted
    client = api_client(world.county_admin)
    case_reject(case_id=fw.cases[world.home.code].pk, acting_user=fw.supervisor, reason="请复核")
    assert _ids(all_pages(client, RESULTS, state="rejected")) == {fw.cases[world.home.code].pk}
    assert _ids(all_pages(client, RESULTS, frame="not_exited")) == {fw.cases["other"].pk}
    assert _ids(all_pages(client, RESULTS, unit=XIAGAOCHI)) == {fw.cases[world.home.code].pk}
    assert len(all_pages(client, RESULTS, assessment=fw.assessment.pk)) == 3
    assert all_pages(client, RESULTS, assessment=fw.assessment.pk + 1000) == []
    for params in ({"state": "assigned"}, {"frame": "rich"}, {"assessment": "x"}, {"assessment": "9" * 25}):
        assert client.get(RESULTS, params).status_code == 400, params


def test_roles_that_read_no_assessment_are_refused_results(world, submitted):
    for user in (world.township_officer, world.village_clerk, world.cadre, world.work_team, world.department):
        response = api_client(user).get(RESULTS)
        assert response.status_code == 403 and response.json()["code"] == "permission_denied", user.username


def test_results_page_by_cursor_without_repeats(world, submitted):
    rows = all_pages(api_client(world.county_admin), RESULTS, page_size=1)
    assert len(rows) == 3 and len(_ids(rows)) == 3
