"""/api/v1/procedures/: procedures in reach, a step taken through the API as through the page, and opening one."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from jingzhun.registry.models import Household
from jingzhun.workflows import services
from jingzhun.workflows.models import LedgerEvent, Procedure, StepRecord

from .api_helpers import all_pages, api_client
from .people import XIAGAOCHI, make_household
from .workflow_helpers import candidate

PROCEDURES = "/api/v1/procedures/"
READ_ONLY = ("analyst", "evaluator", "cadre", "work_team", "department")


@pytest.fixture(autouse=True)
def _no_indicator_refresh(settings):
    settings.JINGZHUN_INDICATOR_AUTO_REFRESH = False


def _url(procedure, action: str = "") -> str:
    return f"{PROCEDURES}{procedure.pk}/" + (f"{action}/" if action else "")


def _return(world, household) -> Procedure:
    return services.procedure_open(acting_user=world.village_clerk, kind="return", household_code=household.code,
                                   note="因病返贫")


@pytest.fixture
def second(world) -> Household:
    """Another exited household of the village clerk's village."""
    return make_household(XIAGAOCHI, 3, "孙二喜")


def test_the_list_is_the_open_procedures_in_reach_newest_first(world, second):
    mine = [_return(world, world.home), _return(world, second)]
    services.procedure_act(acting_user=world.township_officer, procedure_id=mine[1].pk, step="township_approval",
                           approve=False, note="不符合")
    rows = all_pages(api_client(world.township_officer), PROCEDURES)
    assert [r["id"] for r in rows] == [mine[0].pk]
    assert rows[0]["step"] == "township_approval" and rows[0]["step_label"] == "乡镇审批" and rows[0]["mine"]
    assert rows[0]["household"] == world.home.code and rows[0]["opened_by"] == "village_clerk"
    everything = all_pages(api_client(world.township_officer), PROCEDURES, state="all")
    assert [r["id"] for r in everything] == [mine[1].pk, mine[0].pk]
    assert everything[0]["state"] == "rejected" and everything[0]["reason"].endswith("不符合")
    assert not all_pages(api_client(world.village_clerk), PROCEDURES)[0]["mine"]
    assert not all_pages(api_client(world.outsider), PROCEDURES, state="all")


def test_filters_by_kind_state_and_household(world, second):
    p = _return(world, world.home)
    services.procedure_open(acting_user=world.village_clerk, kind="removal", household_code=second.code,
                            note="收入超标", data={"reason_category": "不符合识别标准"})
    client = api_client(world.county_admin)
    assert [r["kind"] for r in all_pages(client, PROCEDURES, kind="removal")] == ["removal"]
    assert [r["id"] for r in all_pages(client, PROCEDURES, household=world.home.code)] == [p.pk]
    assert not all_pages(client, PROCEDURES, state="done")
    for params in ({"kind": "holiday"}, {"state": "closed"}, {"household": "123"}):
        response = client.get(PROCEDURES, params)
        assert response.status_code == 400 and set(response.json()["fields"]) == set(params)


def test_a_cadre_sees_the_procedures_of_their_own_households(world, second):
    p = _return(world, world.home)
    _return(world, second)
    assert [r["id"] for r in all_pages(api_client(world.cadre), PROCEDURES)] == [p.pk]


def test_the_detail_has_its_steps_records_and_who_acted(world):
    p = _return(world, world.home)
    body = api_client(world.township_officer).get(_url(p)).json()
    assert [(s["code"], s["done"], s["current"]) for s in body["steps"]] == [
        ("application", True, False), ("township_approval", False, True)]
    assert body["steps"][1]["role"] == "township_officer" and body["steps"][1]["role_label"] == "乡镇扶贫专干"
    record = body["records"][0]
    assert record["decision"] == "applied" and record["actor"] == "village_clerk" and record["note"] == "因病返贫"


def test_a_procedure_out_of_reach_is_404(world):
    p = _return(world, world.home)
    for user in (world.outsider, ):
        assert api_client(user).get(_url(p)).status_code == 404
    assert api_client(world.village_clerk).get(f"{PROCEDURES}999999/").status_code == 404


def test_read_only_roles_see_a_candidates_id_numbers_masked(world):
    household, members = candidate()
    p = services.entry_open(acting_user=world.village_clerk, village_code=XIAGAOCHI, household=household,
                            members=members, year=2018)
    ids = {m["id_number"] for m in members}
    assert api_client(world.cadre).get(_url(p)).status_code == 404  # not one of the cadre's households
    for name in set(READ_ONLY) - {"cadre"}:
        text = api_client(getattr(world, name)).get(_url(p)).content.decode()
        assert "孙有田" in text and not any(i in text for i in ids), name
    shown = api_client(world.county_admin).get(_url(p)).json()["candidate_members"]
    assert {m["id_number"] for m in shown} == ids


def test_a_member_changes_rows_are_masked_for_read_only_roles(world):
    daughter = world.home.members.order_by("pk").last()
    p = services.procedure_open(acting_user=world.village_clerk, kind="member_change", household_code=world.home.code,
                                note="出嫁", data={"change": "marriage_out", "member_id": daughter.pk})
    body = api_client(world.analyst).get(_url(p)).json()
    assert body["change"] == "marriage_out" and body["change_label"] == "婚出" and body["change_person"] == "王小红"
    assert body["change_rows"] and daughter.id_number not in str(body)
    assert daughter.id_number in str(api_client(world.township_officer).get(_url(p)).json()["change_rows"])


# --- acting on a step ----------------------------------------------------------------------------------


def test_a_step_taken_through_the_api_changes_what_the_page_changes(world, second, client):
    through_api, through_page = _return(world, world.home), _return(world, second)
    response = api_client(world.township_officer).post(
        _url(through_api, "act"), {"step": "township_approval", "decision": "approve", "note": "同意"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "done" and response.json()["records"][-1]["actor"] == "township_officer"
    client.force_login(world.township_officer)
    page = client.post(reverse("workflows:procedure_act", args=[through_page.pk]),
                       {"step": "township_approval", "decision": "approve", "note": "同意"})
    assert page.status_code == 302
    for procedure, household in ((through_api, world.home), (through_page, second)):
        procedure.refresh_from_db()
        household.refresh_from_db()
        assert procedure.state == Procedure.State.DONE and household.status == "返贫"
        event = LedgerEvent.objects.get(procedure=procedure)
        assert (event.type, event.household, event.actor, event.source) == (
            "return", household.code, world.township_officer, "workflow")
        history = household.history.latest("history_date")
        assert history.history_user == world.township_officer and history.status == "返贫"
        assert procedure.records.latest("at").decision == StepRecord.Decision.APPROVED


def test_rejecting_needs_a_note_and_ends_the_procedure(world):
    p = _return(world, world.home)
    client = api_client(world.township_officer)
    bare = client.post(_url(p, "act"), {"step": "township_approval", "decision": "reject"}, format="json")
    assert bare.status_code == 400 and "note" in bare.json()["fields"]
    assert Procedure.objects.get(pk=p.pk).state == Procedure.State.OPEN
    done = client.post(_url(p, "act"), {"step": "township_approval", "decision": "reject", "note": "收入未下降"},
                       format="json")
    assert done.status_code == 200 and done.json()["state"] == "rejected"
    world.home.refresh_from_db()
    assert world.home.status == "已脱贫" and not LedgerEvent.objects.exists()


def test_a_step_of_another_role_is_refused_saying_who_acts_and_nothing_changes(world):
    p = _return(world, world.home)
    response = api_client(world.village_clerk).post(_url(p, "act"), {"step": "township_approval", "decision": "approve"},
                                                    format="json")
    assert response.status_code == 403 and "应由乡镇扶贫专干办理" in response.json()["message"]
    for name in READ_ONLY:
        refused = api_client(getattr(world, name)).post(_url(p, "act"), {"step": "township_approval",
                                                                         "decision": "approve"}, format="json")
        assert refused.status_code == 403, name
    assert api_client(world.outsider).post(_url(p, "act"), {"step": "township_approval", "decision": "approve"},
                                           format="json").status_code == 404
    assert api_client(world.outsider).get(_url(p, "act")).status_code == 404
    assert api_client(world.township_officer).get(_url(p, "act")).status_code == 405
    p.refresh_from_db()
    assert p.state == Procedure.State.OPEN and p.records.count() == 1 and not LedgerEvent.objects.exists()


def test_a_step_already_taken_is_told_and_changes_nothing(world):
    p = _return(world, world.home)
    client = api_client(world.township_officer)
    assert client.post(_url(p, "act"), {"step": "township_approval", "decision": "approve"},
                       format="json").status_code == 200
    again = client.post(_url(p, "act"), {"step": "township_approval", "decision": "approve"}, format="json")
    assert again.status_code == 400 and "不能再办理" in str(again.json()["fields"]["non_field_errors"])
    assert LedgerEvent.objects.count() == 1


def test_evidence_comes_as_multipart_and_is_checked_as_on_the_page(world):
    p = _return(world, world.home)
    client = api_client(world.township_officer)
    wrong = client.post(_url(p, "act"), {"step": "township_approval", "decision": "approve",
                                         "evidence": SimpleUploadedFile("x.exe", b"MZ")}, format="multipart")
    assert wrong.status_code == 400 and "evidence" in wrong.json()["fields"]
    ok = client.post(_url(p, "act"), {"step": "township_approval", "decision": "approve", "note": "同意",
                                      "evidence": SimpleUploadedFile("核实.txt", "入户核实".encode())},
                     format="multipart")
    assert ok.status_code == 200, ok.content
    assert ok.json()["records"][-1]["evidence_name"] == "核实.txt"
    assert p.records.latest("at").evidence_name == "核实.txt"


# --- opening a procedure --------------------------------------------------------------------------------


def test_a_village_clerk_opens_a_procedure_as_on_the_household_page(world):
    poor = make_household(XIAGAOCHI, 2, "钱有粮", status="未脱贫")
    response = api_client(world.village_clerk).post(PROCEDURES, {
        "kind": "removal", "household": poor.code, "reason_category": "不符合识别标准", "note": "收入超标"}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["kind"] == "removal" and body["step"] == "township_approval" and body["reason_category"] == "不符合识别标准"
    procedure = Procedure.objects.get(pk=body["id"])
    assert procedure.opened_by == world.village_clerk and procedure.records.get().decision == "applied"


def test_opening_is_refused_as_the_page_refuses_it(world, second):
    _return(world, world.home)
    client = api_client(world.village_clerk)
    busy = client.post(PROCEDURES, {"kind": "removal", "household": world.home.code,
                                    "reason_category": "不符合识别标准", "note": "收入超标"}, format="json")
    assert busy.status_code == 400 and "已有办理中" in str(busy.json()["fields"])
    status = client.post(PROCEDURES, {"kind": "exit", "household": second.code, "year": 2020}, format="json")
    assert status.status_code == 400 and "脱贫状态" in str(status.json()["fields"])
    no_note = client.post(PROCEDURES, {"kind": "return", "household": second.code}, format="json")
    assert no_note.status_code == 400 and "返贫原因" in str(no_note.json()["fields"])
    monitoring = client.post(PROCEDURES, {"kind": "monitoring_entry", "household": second.code}, format="json")
    assert monitoring.status_code == 400 and "kind" in monitoring.json()["fields"]
    assert api_client(world.township_officer).post(PROCEDURES, {"kind": "return", "household": second.code,
                                                                "note": "因灾"}, format="json").status_code == 403
    for name in READ_ONLY:
        assert api_client(getattr(world, name)).post(PROCEDURES, {"kind": "return", "household": second.code,
                                                                  "note": "因灾"}, format="json").status_code == 403
    assert client.post(PROCEDURES, {"kind": "return", "household": world.neighbour.code, "note": "因灾"},
                       format="json").status_code == 404
    assert Procedure.objects.count() == 1


def test_a_member_added_through_the_api_is_checked_by_the_pages_form(world):
    bad = api_client(world.village_clerk).post(PROCEDURES, {
        "kind": "member_change", "household": world.home.code, "change": "birth", "note": "新生儿",
        "member": {"name": "王小宝", "id_number": "123", "relation": "之孙子", "sex": "男"}}, format="json")
    assert bad.status_code == 400 and "id_number" in bad.json()["fields"]["member"]
    assert not Procedure.objects.exists()


def test_a_multipart_step_without_food_clothing_is_not_read_as_no(world):
    household, members = candidate()
    p = services.entry_open(acting_user=world.village_clerk, village_code=XIAGAOCHI, household=household,
                            members=members, year=2018)
    response = api_client(world.village_clerk).post(_url(p, "act"), {"step": "group_review", "decision": "approve"},
                                                    format="multipart")
    assert response.status_code == 200, response.content
    record = p.records.latest("at")
    assert record.step == "group_review" and "food_clothing" not in record.data
