"""lead_verify, lead_push, lead_reassign, lead_evidence_add: who may, what is refused, what is recorded."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from jingzhun.accounts.models import AuditEvent
from jingzhun.monitoring.models import Lead, LeadEvidence
from jingzhun.monitoring.services import (
    LeadError,
    lead_create,
    lead_evidence_add,
    lead_push,
    lead_reassign,
    lead_verify,
)
from jingzhun.monitoring.vocab import Channel, Result, RiskType, Status

from .notice_photos import jpeg_bytes, upload
from .people import CHENGNEI, HENGDONG, XIAGAOCHI

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead(world):
    return lead_create(channel=Channel.VILLAGE_CHECK, village=XIAGAOCHI, risk_type=RiskType.ILLNESS,
                       description="住院", household=world.home, acting_user=world.village_clerk)


def test_verify_records_who_and_when_and_an_audit_row(world, lead):
    lead_verify(lead_id=lead.pk, result=Result.INCLUDE, acting_user=world.village_clerk)
    lead.refresh_from_db()
    assert lead.status == Status.VERIFIED and lead.verified_by == world.village_clerk and lead.verified_at
    assert AuditEvent.objects.filter(action=AuditEvent.Action.LEAD, detail__what="lead_verify").count() == 1


def test_a_verified_lead_cannot_be_verified_again(world, lead):
    lead_verify(lead_id=lead.pk, result=Result.INCLUDE, acting_user=world.village_clerk)
    with pytest.raises(LeadError, match="已核实"):
        lead_verify(lead_id=lead.pk, result=Result.EXCLUDE, reason="x", acting_user=world.village_clerk)
    assert Lead.objects.get().result == Result.INCLUDE


@pytest.mark.parametrize("who", ["township_officer", "county_admin", "cadre", "evaluator"])
def test_only_the_village_clerk_verifies(world, lead, who):
    with pytest.raises(PermissionDenied):
        lead_verify(lead_id=lead.pk, result=Result.INCLUDE, acting_user=getattr(world, who))
    assert Lead.objects.get().status == Status.PENDING


def test_exclusion_needs_a_reason_and_an_unknown_result_is_refused(world, lead):
    with pytest.raises(LeadError, match="理由"):
        lead_verify(lead_id=lead.pk, result=Result.EXCLUDE, reason="  ", acting_user=world.village_clerk)
    with pytest.raises(LeadError, match="核实结果"):
        lead_verify(lead_id=lead.pk, result="maybe", acting_user=world.village_clerk)
    assert Lead.objects.get().status == Status.PENDING


def test_a_bad_letter_rolls_the_verification_back(world, lead):
    with pytest.raises(LeadError, match="不是可以打开的照片"):
        lead_verify(lead_id=lead.pk, result=Result.INCLUDE, acting_user=world.village_clerk,
                    evidence=upload("承诺书.jpg", b"%PDF-1.4 not a photo"))
    assert Lead.objects.get().status == Status.PENDING and not LeadEvidence.objects.exists()


def test_evidence_is_attached_by_the_village_clerk(world, lead):
    item = lead_evidence_add(lead_id=lead.pk, upload=upload("承诺书.jpg", jpeg_bytes()), acting_user=world.village_clerk)
    assert item.sha256 and item.file.read()[:2] == b"\xff\xd8"
    with pytest.raises(PermissionDenied):
        lead_evidence_add(lead_id=lead.pk, upload=upload("承诺书.jpg", jpeg_bytes()), acting_user=world.county_admin)


def test_push_goes_down_the_path_to_the_village_only(world):
    lead = lead_create(channel=Channel.DEPARTMENT, village=XIAGAOCHI, risk_type=RiskType.ILLNESS, description="医保",
                       household=world.home)
    with pytest.raises(LeadError, match="下发"):
        lead_push(lead_id=lead.pk, unit_code="140826101", acting_user=world.county_admin)  # another township
    with pytest.raises(PermissionDenied):
        lead_push(lead_id=lead.pk, unit_code=XIAGAOCHI, acting_user=world.village_clerk)
    with pytest.raises(Http404):
        lead_push(lead_id=lead.pk, unit_code=XIAGAOCHI, acting_user=world.outsider)
    lead_push(lead_id=lead.pk, unit_code=XIAGAOCHI, acting_user=world.county_admin)
    assert Lead.objects.get().unit_id == XIAGAOCHI


def test_reassign_keeps_a_registered_household_in_its_own_village(world, lead):
    with pytest.raises(LeadError, match="该户所在的村"):
        lead_reassign(lead_id=lead.pk, village_code=CHENGNEI, note="x", acting_user=world.township_officer)
    with pytest.raises(Http404):
        lead_reassign(lead_id=lead.pk, village_code=HENGDONG, note="x", acting_user=world.township_officer)
    assert Lead.objects.get().village_id == XIAGAOCHI
