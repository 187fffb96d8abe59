"""/api/v1/monitoring/: 监测对象, the lead queue, a lead, and a lead pushed in as the lead form records it."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from jingzhun.accounts.models import AuditEvent
from jingzhun.monitoring.models import Lead, LeadEvent, LeadReport
from jingzhun.monitoring.services import lead_create
from jingzhun.registry.models import Household

from .api_helpers import all_pages, api_client
from .people import XIAGAOCHI, ZHANGGUO, id_number

pytestmark = pytest.mark.django_db

OBJECTS = "/api/v1/monitoring/objects/"
LEADS = "/api/v1/monitoring/leads/"


def _monitored(household, *, klass="边缘易致贫户", risk="因病", other="", eliminated=False):
    Household.objects.filter(code=household.code).update(
        category="监测户", monitoring_class=klass, monitoring_since=datetime.date(2024, 3, 1), risk_type=risk,
        other_risk_1=other, risk_eliminated=eliminated,
        risk_eliminated_on=datetime.date(2025, 1, 1) if eliminated else None, phone="13912345678")


@pytest.fixture
def monitored(world):
    _monitored(world.home, other="因灾")
    _monitored(world.neighbour, klass="突发严重困难户", risk="因灾", eliminated=True)
    _monitored(world.other_county)
    return world


def _codes(rows) -> set[str]:
    return {row["code"] for row in rows}


# --- 监测对象 ----------------------------------------------------------------------------------------------

def test_monitoring_objects_are_the_monitored_households_in_reach(monitored):
    world = monitored
    assert _codes(all_pages(api_client(world.county_admin), OBJECTS)) == {world.home.code, world.neighbour.code}
    assert _codes(all_pages(api_client(world.village_clerk), OBJECTS)) == {world.home.code}
    assert _codes(all_pages(api_client(world.outsider), OBJECTS)) == {world.other_county.code}
    assert _codes(all_pages(api_client(world.cadre), OBJECTS)) == {world.home.code}


def test_monitoring_objects_filter_by_type_risk_status_and_unit(monitored):
    world = monitored
    client = api_client(world.county_admin)
    assert _codes(all_pages(client, OBJECTS, type="突发严重困难户")) == {world.neighbour.code}
    assert _codes(all_pages(client, OBJECTS, risk="因灾")) == {world.home.code, world.neighbour.code}  # other risk too
    assert _codes(all_pages(client, OBJECTS, risk="因病")) == {world.home.code}
    assert _codes(all_pages(client, OBJECTS, status="eliminated")) == {world.neighbour.code}
    assert _codes(all_pages(client, OBJECTS, status="at_risk")) == {world.home.code}
    assert _codes(all_pages(client, OBJECTS, unit=XIAGAOCHI)) == {world.home.code}
    assert _codes(all_pages(client, OBJECTS, unit=ZHANGGUO)) == set()  # another county's: nothing, not an error


def test_a_wrong_filter_is_a_400_naming_the_parameter(monitored):
    client = api_client(monitored.county_admin)
    for params, field in (({"type": "富裕户"}, "type"), ({"unit": "abc"}, "unit"), ({"status": "x"}, "status")):
        response = client.get(OBJECTS, params)
        assert response.status_code == 400 and field in response.json()["fields"], params


def test_read_only_roles_see_monitoring_objects_masked(monitored):
    world = monitored
    row = all_pages(api_client(world.analyst), OBJECTS, unit=XIAGAOCHI)[0]
    assert row["head_id_number"] != world.home.head_id_number and "*" in row["head_id_number"]
    assert row["phone"] != "13912345678"
    full = all_pages(api_client(world.village_clerk), OBJECTS)[0]
    assert full["head_id_number"] == world.home.head_id_number and full["phone"] == "13912345678"
    assert full["other_risks"] == ["因灾"] and full["monitoring_class"] == "边缘易致贫户"


# --- the lead queue and a lead --------------------------------------------------------------------------

@pytest.fixture
def leads(world):
    made = {}
    for household in world.households:
        made[household.code] = lead_create(channel="self_report", village=household.village, risk_type="illness",
                                           description="看病自付多", household=household, phone="13700002222")
    made["dept"] = lead_create(channel="department", village=world.home.village, risk_type="housing",
                               description="住建：危房", household=world.home, source_ref="住建 批次 1 第 2 行",
                               details={"grade": "D"})
    made["person"] = lead_create(channel="village_check", village=XIAGAOCHI, risk_type="disaster",
                                 description="房屋被冲毁，住院", name="孙大明", id_number=id_number("140826", "19700101", 5),
                                 acting_user=world.village_clerk)
    return made


def _ids(rows) -> set[int]:
    return {row["id"] for row in rows}


def test_the_lead_queue_is_the_leads_in_reach(world, leads):
    home = {leads[world.home.code].pk, leads["dept"].pk}
    assert _ids(all_pages(api_client(world.village_clerk), LEADS)) == home | {leads["person"].pk}
    assert _ids(all_pages(api_client(world.cadre), LEADS)) == home  # their household's, not the village's
    assert _ids(all_pages(api_client(world.outsider), LEADS)) == {leads[world.other_county.code].pk}
    assert len(all_pages(api_client(world.sysadmin), LEADS)) == len(leads)


def test_the_lead_queue_filters_as_the_page_does(world, leads):
    client = api_client(world.county_admin)
    assert _ids(all_pages(client, LEADS, channel="department")) == {leads["dept"].pk}
    assert _ids(all_pages(client, LEADS, source="住建")) == {leads["dept"].pk}
    assert _ids(all_pages(client, LEADS, unit=world.neighbour.village_id)) == {leads[world.neighbour.code].pk}
    assert all_pages(client, LEADS, status="verified") == []
    Lead.objects.filter(pk=leads[world.home.code].pk).update(verify_due=timezone.localdate() - datetime.timedelta(1))
    assert _ids(all_pages(client, LEADS, overdue="true")) == {leads[world.home.code].pk}
    assert client.get(LEADS, {"channel": "phone"}).status_code == 400


def test_the_cursor_pages_neither_skip_nor_repeat(world, leads):
    client = api_client(world.sysadmin)
    first = client.get(LEADS, {"page_size": 2}).json()
    assert len(first["results"]) == 2 and first["next"]
    paged = all_pages(client, LEADS, page_size=2)
    assert [r["id"] for r in paged] == sorted(r["id"] for r in paged) and _ids(paged) == {l.pk for l in leads.values()}


def test_a_lead_out_of_reach_is_404_and_in_reach_shows_its_reports_and_events(world, leads):
    other = leads[world.other_county.code].pk
    assert api_client(world.village_clerk).get(f"{LEADS}{other}/").status_code == 404
    assert api_client(world.cadre).get(f"{LEADS}{leads['person'].pk}/").status_code == 404
    body = api_client(world.county_admin).get(f"{LEADS}{leads['dept'].pk}/").json()
    assert body["unit"] == "140826" and body["channel"] == "department"
    assert body["report_rows"][0]["details"] == {"grade": "D"} and body["report_rows"][0]["source_ref"]
    assert [e["kind"] for e in body["events"]] == ["created"]


def test_read_only_roles_see_a_lead_masked_and_its_narrative_withheld(world, leads):
    lead = leads["person"]
    for user in (world.analyst, world.evaluator):
        body = api_client(user).get(f"{LEADS}{lead.pk}/").json()
        text = str(body)
        assert lead.id_number not in text and "住院" not in text, user.username
        assert body["description"] == "（仅办理人员可见）"
    dept = api_client(world.analyst).get(f"{LEADS}{leads['dept'].pk}/").json()
    assert dept["report_rows"][0]["details"] == {}
    rows = all_pages(api_client(world.analyst), LEADS)
    assert "13700002222" not in str(rows) and lead.id_number not in str(rows)
    clerk = api_client(world.village_clerk).get(f"{LEADS}{lead.pk}/").json()
    assert clerk["id_number"] == lead.id_number and "住院" in clerk["description"]


# --- pushing a lead -------------------------------------------------------------------------------------

def _lead_post(**extra) -> dict:
    return {"village": XIAGAOCHI, "risk_type": "disaster", "name": "孙大明", "description": "排查发现房屋受损", **extra}


def test_a_clerk_records_a_lead_as_the_lead_form_does(world):
    response = api_client(world.village_clerk).post(LEADS, _lead_post(phone="13600001111"), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    lead = Lead.objects.get(pk=body["lead"]["id"])
    assert lead.channel == "village_check" and lead.created_by == world.village_clerk and lead.unit_id == XIAGAOCHI
    assert body["reference"] == LeadReport.objects.get(lead=lead).reference and body["merged"] is False
    assert LeadEvent.objects.get(lead=lead).kind == LeadEvent.Kind.CREATED
    row = AuditEvent.objects.filter(action=AuditEvent.Action.LEAD).latest("at")
    assert row.actor == world.village_clerk and row.detail["what"] == "lead_create"


def test_a_second_report_of_a_household_joins_its_open_lead(world):
    client = api_client(world.village_clerk)
    first = client.post(LEADS, _lead_post(household=world.home.code), format="json").json()
    second = client.post(LEADS, _lead_post(household=world.home.code), format="json").json()
    assert second["merged"] is True and second["lead"]["id"] == first["lead"]["id"]
    assert second["lead"]["reports"] == 2 and Lead.objects.count() == 1


def test_a_county_system_pushes_a_department_lead_to_the_county(world):
    response = api_client(world.county_admin).post(LEADS, _lead_post(
        channel="department", household=world.home.code, source_ref="医保 批次 3 第 12 行",
        details={"out_of_pocket": 23000}), format="json")
    assert response.status_code == 201, response.content
    lead = Lead.objects.get(pk=response.json()["lead"]["id"])
    assert lead.unit_id == "140826" and lead.report_rows.get().details == {"out_of_pocket": 23000}


def test_roles_that_may_not_record_a_lead_are_refused_and_nothing_changes(world):
    for user in (world.analyst, world.evaluator, world.department):
        response = api_client(user).post(LEADS, _lead_post(), format="json")
        assert response.status_code == 403 and response.json()["code"] == "permission_denied", user.username
    # a department's channel is for the county roles that load department alerts
    assert api_client(world.village_clerk).post(LEADS, _lead_post(channel="department"),
                                                format="json").status_code == 403
    assert not Lead.objects.exists() and not LeadReport.objects.exists()


def test_a_lead_out_of_reach_or_invalid_is_refused_and_nothing_changes(world):
    clerk = api_client(world.village_clerk)
    assert clerk.post(LEADS, _lead_post(village=ZHANGGUO), format="json").status_code == 404
    assert clerk.post(LEADS, _lead_post(household=world.other_county.code), format="json").status_code == 404
    response = clerk.post(LEADS, _lead_post(risk_type="", village="12"), format="json")
    assert response.status_code == 400 and {"risk_type", "village"} <= set(response.json()["fields"])
    response = clerk.post(LEADS, _lead_post(name="", household=""), format="json")  # the service's own rule
    assert response.status_code == 400 and "户主姓名" in str(response.json()["fields"]["non_field_errors"])
    # a cadre records leads for their own households only
    response = api_client(world.cadre).post(LEADS, _lead_post(village=world.neighbour.village_id), format="json")
    assert response.status_code == 400
    assert not Lead.objects.exists()
