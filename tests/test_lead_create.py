"""lead_create: each channel brings a lead into the queue; reports of one household and risk join one lead."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from jingzhun.accounts.models import AuditEvent
from jingzhun.monitoring.models import Lead, LeadEvent, LeadReport
from jingzhun.monitoring.services import LeadError, lead_create
from jingzhun.monitoring.vocab import Channel, RiskType, Status

from .people import CHENGNEI, HENGDONG, XIAGAOCHI, id_number

pytestmark = pytest.mark.django_db


def test_self_report_sits_in_its_village_with_a_reference_and_due_dates(world):
    lead = lead_create(channel=Channel.SELF_REPORT, village=XIAGAOCHI, risk_type=RiskType.ILLNESS,
                       description="父亲住院，自付 3 万元", name="孙大明", phone="13800001111",
                       id_number=id_number("140826", "19700101", 5), client_ip="10.0.0.9")
    assert lead.unit_id == XIAGAOCHI and lead.village_id == XIAGAOCHI and lead.status == Status.PENDING
    assert lead.report.reference.startswith("XS") and not lead.merged
    day = timezone.localdate(lead.created_at)
    assert lead.verify_due > day and lead.decide_due - day == datetime.timedelta(15)
    assert LeadEvent.objects.get(lead=lead).kind == LeadEvent.Kind.CREATED
    row = AuditEvent.objects.get(action=AuditEvent.Action.LEAD)
    assert row.detail["what"] == "lead_create" and row.ip == "10.0.0.9" and row.actor is None


def test_department_lead_arrives_at_the_county_with_its_figures(world):
    lead = lead_create(channel=Channel.DEPARTMENT, village=world.home.village, risk_type=RiskType.ILLNESS,
                       description="医保自付超过阈值", household=world.home, source_ref="医保 批次 3 第 12 行",
                       details={"out_of_pocket": 23000, "threshold": 11000})
    assert lead.unit_id == "140826" and lead.name == world.home.head_name
    report = LeadReport.objects.get(lead=lead)
    assert report.details == {"out_of_pocket": 23000, "threshold": 11000} and report.source_ref.startswith("医保")


def test_village_check_is_recorded_by_the_clerk_of_the_village(world):
    lead = lead_create(channel=Channel.VILLAGE_CHECK, village=XIAGAOCHI, risk_type=RiskType.DISASTER,
                       description="房屋被冲毁", household=world.home, acting_user=world.village_clerk)
    assert lead.created_by == world.village_clerk and lead.unit_id == XIAGAOCHI


def test_village_check_outside_reach_or_anonymous_is_refused(world):
    with pytest.raises(Http404):
        lead_create(channel=Channel.VILLAGE_CHECK, village=CHENGNEI, risk_type=RiskType.DISASTER,
                    description="x", name="某人", acting_user=world.village_clerk)
    with pytest.raises(LeadError):
        lead_create(channel=Channel.VILLAGE_CHECK, village=XIAGAOCHI, risk_type=RiskType.DISASTER,
                    description="x", name="某人")
    with pytest.raises(PermissionDenied):
        lead_create(channel=Channel.VILLAGE_CHECK, village=XIAGAOCHI, risk_type=RiskType.DISASTER,
                    description="x", name="某人", acting_user=world.evaluator)
    assert not Lead.objects.exists() and not LeadReport.objects.exists()


def test_cadre_records_leads_for_their_own_households_only(world):
    lead_create(channel=Channel.VILLAGE_CHECK, village=XIAGAOCHI, risk_type=RiskType.LABOUR, description="x",
                household=world.home, acting_user=world.cadre)
    with pytest.raises(LeadError, match="帮扶责任人"):
        lead_create(channel=Channel.VILLAGE_CHECK, village=CHENGNEI, risk_type=RiskType.LABOUR, description="x",
                    household=world.neighbour, acting_user=world.cadre)
    assert Lead.objects.count() == 1


def test_second_report_of_household_and_risk_joins_the_open_lead_and_says_so(world):
    first = lead_create(channel=Channel.DEPARTMENT, village=XIAGAOCHI, risk_type=RiskType.ILLNESS, description="医保",
                        household=world.home)
    # The farmer reports by ID number only: matched to the registry's member, so the same lead.
    second = lead_create(channel=Channel.SELF_REPORT, village=XIAGAOCHI, risk_type=RiskType.ILLNESS,
                         description="看病花了很多钱", name="王建国", id_number=world.home.head_id_number)
    assert second.pk == first.pk and second.merged and second.report.reference != first.report.reference
    second.refresh_from_db()
    assert second.reports == 2 and LeadReport.objects.filter(lead=first).count() == 2
    merged = LeadEvent.objects.get(lead=first, kind=LeadEvent.Kind.MERGED)
    assert "第 2 次报告" in merged.note and "农户自主申报" in merged.note


def test_another_risk_or_a_verified_lead_opens_a_new_lead(world):
    first = lead_create(channel=Channel.DEPARTMENT, village=XIAGAOCHI, risk_type=RiskType.ILLNESS, description="医保",
                        household=world.home)
    other = lead_create(channel=Channel.DEPARTMENT, village=XIAGAOCHI, risk_type=RiskType.HOUSING, description="危房",
                        household=world.home)
    assert other.pk != first.pk
    Lead.objects.filter(pk=first.pk).update(status=Status.VERIFIED, result="exclude")
    again = lead_create(channel=Channel.DEPARTMENT, village=XIAGAOCHI, risk_type=RiskType.ILLNESS, description="医保",
                        household=world.home)
    assert again.pk not in (first.pk, other.pk) and not again.merged


def test_unregistered_person_is_deduplicated_by_id_number(world):
    number = id_number("140826", "19800202", 7)
    a = lead_create(channel=Channel.SELF_REPORT, village=XIAGAOCHI, risk_type=RiskType.ACCIDENT, description="x",
                    name="甲", id_number=number)
    b = lead_create(channel=Channel.SELF_REPORT, village=XIAGAOCHI, risk_type=RiskType.ACCIDENT, description="y",
                    name="甲", id_number=number)
    assert a.pk == b.pk and a.household is None and a.dedup_key == f"id:{number}"


@pytest.mark.parametrize("kwargs, message", [
    ({"risk_type": "poor"}, "风险类型"),
    ({"village": "140826100"}, "村"),
    ({"id_number": "140826197001010000"}, "身份证号"),
    ({"description": "难" * 1001}, "1000"),
    ({"phone": "call me"}, "电话"),
    ({"name": "", "id_number": ""}, "户主姓名或身份证号"),
    ({"channel": "rumour"}, "渠道"),
])
def test_bad_input_is_refused_in_chinese_and_nothing_is_written(world, kwargs, message):
    args = {"channel": Channel.SELF_REPORT, "village": XIAGAOCHI, "risk_type": RiskType.ILLNESS,
            "description": "x", "name": "孙大明"} | kwargs
    with pytest.raises(LeadError, match=message):
        lead_create(**args)
    assert not Lead.objects.exists() and not AuditEvent.objects.filter(action=AuditEvent.Action.LEAD).exists()


def test_household_must_lie_in_the_village(world):
    with pytest.raises(LeadError, match="不在所选的村"):
        lead_create(channel=Channel.DEPARTMENT, village=HENGDONG, risk_type=RiskType.ILLNESS, description="x",
                    household=world.home)
