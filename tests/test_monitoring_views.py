"""The lead pages: each channel walked to a verification result, routing, overdue marks, the queue and scope."""

from __future__ import annotations

import datetime
import io

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from jingzhun.accounts.models import AuditEvent
from jingzhun.monitoring.models import Lead, LeadEvidence
from jingzhun.monitoring.services import lead_create
from jingzhun.monitoring.vocab import Channel, Result, RiskType, Status

from .notice_photos import jpeg_bytes, upload
from .people import CHENGNEI, HENGDONG, XIAGAOCHI, id_number

pytestmark = pytest.mark.django_db


def _public(client, **overrides):
    data = {"name": "孙大明", "phone": "13800001111", "id_number": id_number("140826", "19700101", 5),
            "village": XIAGAOCHI, "risk_type": RiskType.ILLNESS, "description": "父亲住院，自付 3 万元"} | overrides
    return client.post(reverse("monitoring:report", kwargs={"county": "140826"}), data)


def _verify(client, lead, **data):
    return client.post(reverse("monitoring:lead_verify", kwargs={"lead_id": lead.pk}), data)


def test_public_report_walked_to_inclusion_by_the_village_clerk(world, client):
    response = _public(client)
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    lead = Lead.objects.get()
    assert lead.report_rows.get().reference in response.content.decode()
    client.force_login(world.village_clerk)
    page = client.get(reverse("monitoring:lead_detail", kwargs={"lead_id": lead.pk})).content.decode()
    assert 'id="verify"' in page and "13800001111" in page  # the clerk keeps the records: full numbers
    response = _verify(client, lead, result=Result.INCLUDE, reason="入户核实属实",
                       letter=upload("承诺书.jpg", jpeg_bytes()))
    assert response.status_code == 302
    lead.refresh_from_db()
    assert (lead.status, lead.result, lead.verified_by) == (Status.VERIFIED, Result.INCLUDE, world.village_clerk)
    assert LeadEvidence.objects.get(lead=lead).content_type == "image/jpeg"
    assert AuditEvent.objects.filter(action=AuditEvent.Action.UPLOAD, detail__what="lead_evidence").exists()


def test_village_check_page_walked_to_already_monitored(world, client):
    client.force_login(world.village_clerk)
    response = client.post(reverse("monitoring:lead_new"), {
        "village": XIAGAOCHI, "household": world.home.code, "risk_type": RiskType.DISASTER,
        "description": "房屋被冲毁"})
    lead = Lead.objects.get()
    assert response.status_code == 302 and lead.channel == Channel.VILLAGE_CHECK and lead.household == world.home
    _verify(client, lead, result=Result.ALREADY)
    lead.refresh_from_db()
    assert lead.result == Result.ALREADY


def test_department_lead_is_pushed_down_by_the_county_and_township_then_refused_with_reason(world, client):
    lead = lead_create(channel=Channel.DEPARTMENT, village=XIAGAOCHI, risk_type=RiskType.ILLNESS,
                       description="医保自付 23000 元", household=world.home, source_ref="医保 批次 7 第 3 行",
                       details={"out_of_pocket": 23000})
    client.force_login(world.village_clerk)
    assert 'id="verify"' not in client.get(reverse("monitoring:lead_detail", kwargs={"lead_id": lead.pk})).content.decode()
    assert _verify(client, lead, result=Result.INCLUDE).status_code == 200  # not yet pushed down: refused
    assert Lead.objects.get().status == Status.PENDING
    client.force_login(world.county_admin)
    route = reverse("monitoring:lead_route", kwargs={"lead_id": lead.pk})
    assert client.post(route, {"action": "push", "unit": "140826100"}).status_code == 302
    client.force_login(world.township_officer)
    assert client.post(route, {"action": "push", "unit": XIAGAOCHI}).status_code == 302
    client.force_login(world.village_clerk)
    response = _verify(client, lead, result=Result.EXCLUDE, reason="")
    assert "不纳入须写明理由" in response.content.decode()
    _verify(client, lead, result=Result.EXCLUDE, reason="家庭收入明显高于当地农村居民人均可支配收入")
    lead.refresh_from_db()
    assert lead.result == Result.EXCLUDE and list(lead.events.values_list("kind", flat=True)) == [
        "created", "pushed", "pushed", "verified"]
    # what became of the department's alert: readable per source
    client.force_login(world.county_admin)
    page = client.get(reverse("monitoring:lead_list"), {"channel": "department"}).content.decode()
    assert "不纳入" in page


def test_reassign_needs_a_reason_and_a_village_in_reach(world, client):
    lead = lead_create(channel=Channel.SELF_REPORT, village=XIAGAOCHI, risk_type=RiskType.ACCIDENT,
                       description="x", name="甲", id_number=id_number("140826", "19800202", 7))
    client.force_login(world.township_officer)
    route = reverse("monitoring:lead_route", kwargs={"lead_id": lead.pk})
    assert "改派须写明理由" in client.post(route, {"action": "reassign", "unit": CHENGNEI}).content.decode()
    assert client.post(route, {"action": "reassign", "unit": HENGDONG, "note": "x"}).status_code == 404
    assert client.post(route, {"action": "reassign", "unit": CHENGNEI, "note": "实际住城内村"}).status_code == 302
    assert Lead.objects.get().village_id == CHENGNEI


def test_overdue_leads_are_marked_and_listed_first_on_the_todo_page(world, client):
    late = lead_create(channel=Channel.SELF_REPORT, village=XIAGAOCHI, risk_type=RiskType.ILLNESS, description="x",
                       name="甲", id_number=id_number("140826", "19800202", 7))
    fresh = lead_create(channel=Channel.SELF_REPORT, village=XIAGAOCHI, risk_type=RiskType.ILLNESS, description="x",
                        name="乙", id_number=id_number("140826", "19800202", 9))
    Lead.objects.filter(pk=late.pk).update(verify_due=timezone.localdate() - datetime.timedelta(days=3))
    client.force_login(world.village_clerk)
    page = client.get(reverse("monitoring:lead_detail", kwargs={"lead_id": late.pk})).content.decode()
    assert 'id="overdue"' in page
    listed = client.get(reverse("monitoring:lead_list"), {"overdue": "1"}).content.decode()
    assert "甲" in listed and "乙" not in listed
    todo = client.get(reverse("desk:todo")).content.decode()
    assert "线索待核实" in todo and todo.index(f"/leads/{late.pk}/") < todo.index(f"/leads/{fresh.pk}/")


def test_queue_export_masks_numbers_for_read_only_roles(world, client):
    number = id_number("140826", "19800202", 7)
    lead_create(channel=Channel.SELF_REPORT, village=XIAGAOCHI, risk_type=RiskType.ILLNESS, description="x",
                name="甲", id_number=number, phone="13812345678")
    client.force_login(world.evaluator)
    response = client.get(reverse("monitoring:lead_list"), {"format": "xlsx"})
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content) if response.streaming
                                             else response.content))
    text = " ".join(str(c) for row in book.active.iter_rows(values_only=True) for c in row if c is not None)
    assert "甲" in text and number not in text and "13812345678" not in text and number[-4:] in text
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT, detail__what="leads").exists()


def test_leads_out_of_reach_are_404_and_not_listed(world, client):
    other = lead_create(channel=Channel.SELF_REPORT, village=HENGDONG, risk_type=RiskType.ILLNESS, description="x",
                        name="丙", id_number=id_number("140826", "19800202", 11))
    client.force_login(world.village_clerk)
    assert client.get(reverse("monitoring:lead_detail", kwargs={"lead_id": other.pk})).status_code == 404
    assert "丙" not in client.get(reverse("monitoring:lead_list")).content.decode()
    assert _verify(client, other, result=Result.INCLUDE).status_code == 404
    assert Lead.objects.get().status == Status.PENDING


def test_a_department_is_told_what_became_of_its_batch(world, client):
    for household, risk in ((world.home, RiskType.ILLNESS), (world.neighbour, RiskType.ILLNESS)):
        lead_create(channel=Channel.DEPARTMENT, village=household.village, risk_type=risk, description="医保",
                    household=household, source_ref="医保 批次 7 第 3 行")
    lead_create(channel=Channel.DEPARTMENT, village=XIAGAOCHI, risk_type=RiskType.HOUSING, description="危房",
                household=world.home, source_ref="住建 批次 2 第 1 行")
    Lead.objects.filter(household=world.neighbour).update(status=Status.VERIFIED, result=Result.INCLUDE)
    client.force_login(world.county_admin)
    response = client.get(reverse("monitoring:lead_list"), {"source": "医保 批次 7"})
    rows = {o["channel"]: o for o in response.context["outcomes"]}
    assert rows["部门预警"]["total"] == 2 and rows["部门预警"]["include"] == 1 and rows["部门预警"]["pending"] == 1
    assert response.context["page"].paginator.count == 2


def test_the_lead_page_shows_the_standards_and_marks_example_values(world, client):
    lead = lead_create(channel=Channel.SELF_REPORT, village=XIAGAOCHI, risk_type=RiskType.ILLNESS, description="x",
                       name="甲", id_number=id_number("140826", "19800202", 7))
    client.force_login(world.township_officer)
    page = client.get(reverse("monitoring:lead_detail", kwargs={"lead_id": lead.pk})).content.decode()
    section = page[page.index('id="standards"'):page.index('id="reports"')]
    assert "6000" in section and "2 个工作日内入户核实" in section
    # the national line is official; the time limits and the rural average are example values in the pack
    assert section.count('<b class="example">示例值</b>') == 2
