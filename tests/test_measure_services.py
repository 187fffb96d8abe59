"""帮扶措施 services: create, update, end and evidence; who may write, what is refused, the history rows."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404

from jingzhun.accounts.models import AuditEvent
from jingzhun.assistance.models import Measure, MeasureEvidence
from jingzhun.assistance.services.measures import (
    MeasureError,
    measure_create,
    measure_end,
    measure_evidence_add,
    measure_update,
)
from jingzhun.orgunits.permissions import OutOfReach, Refused, may_edit_measures

from .notice_photos import jpeg_bytes, png_bytes

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def _daughter(household):
    return household.members.order_by("pk")[1]


def _employment(world, **changes):
    values = dict(acting_user=world.village_clerk, household_code=world.home.code, type="employment", year=2024,
                  name="县城务工", start=datetime.date(2024, 3, 1), amount=Decimal("18000"),
                  member_id=_daughter(world.home).pk, responsible_unit="县人社局",
                  details={"job": "保洁", "months": "8", "income": "18000.00"})
    values.update(changes)
    return measure_create(**values)


def test_a_village_clerk_records_a_member_measure_with_its_details(world):
    measure = _employment(world)
    measure.refresh_from_db()
    assert measure.member == _daughter(world.home)
    assert measure.details == {"job": "保洁", "months": 8, "income": "18000.00"}
    assert measure.continues_after_exit is True  # from the type
    assert measure.created_by == world.village_clerk
    history = measure.history.get()
    assert history.history_user == world.village_clerk and history.history_type == "+"


def test_continues_after_exit_defaults_from_the_type_and_can_be_set(world):
    housing = measure_create(acting_user=world.village_clerk, household_code=world.home.code, type="housing",
                             year=2024, name="危房改造", start=datetime.date(2024, 5, 1),
                             details={"grade_before": "D", "way": "拆除重建"})
    assert housing.continues_after_exit is False
    kept = measure_create(acting_user=world.village_clerk, household_code=world.home.code, type="housing", year=2024,
                          name="加固", start=datetime.date(2024, 6, 1), continues_after_exit=True)
    assert kept.continues_after_exit is True


@pytest.mark.parametrize("details, message", [
    ({"months": "八"}, "务工月数"),
    ({"income": "-5"}, "务工收入"),
    ({"income": "12.345"}, "两位小数"),
    ({"site": "新村"}, "没有这些明细"),
])
def test_details_that_do_not_fit_the_type_are_refused(world, details, message):
    with pytest.raises(MeasureError, match=message):
        _employment(world, details=details)
    assert not Measure.objects.exists()


def test_a_choice_detail_must_be_one_of_its_choices(world):
    with pytest.raises(MeasureError, match="应为以下之一"):
        measure_create(acting_user=world.village_clerk, household_code=world.home.code, type="safety_net",
                       year=2024, name="低保", start=datetime.date(2024, 1, 1), details={"kind": "五保"})


def test_a_member_type_needs_a_member_of_that_household(world):
    with pytest.raises(MeasureError, match="受益人员"):
        _employment(world, member_id=None)
    with pytest.raises(MeasureError, match="不是本户成员"):
        _employment(world, member_id=_daughter(world.neighbour).pk)
    assert not Measure.objects.exists()


def test_a_household_type_takes_no_member(world):
    with pytest.raises(MeasureError, match="整户"):
        measure_create(acting_user=world.village_clerk, household_code=world.home.code, type="industry", year=2024,
                       name="养牛", start=datetime.date(2024, 1, 1), member_id=_daughter(world.home).pk)


@pytest.mark.parametrize("changes, message", [
    ({"end": datetime.date(2024, 2, 1)}, "结束日期不能早于开始日期"),
    ({"year": 2009}, "年度应在"),
    ({"year": 2099}, "年度应在"),
    ({"start": datetime.date(2025, 1, 2)}, "开始日期"),
    ({"name": "  "}, "措施名称"),
    ({"type": "lottery"}, "没有这种措施类型"),
    ({"amount": "-1"}, "金额"),
])
def test_bad_dates_years_names_and_amounts_are_refused(world, changes, message):
    with pytest.raises(MeasureError, match=message):
        _employment(world, **changes)
    assert not Measure.objects.exists()


def test_the_same_measure_twice_is_refused(world):
    _employment(world)
    with pytest.raises(MeasureError, match="已登记同一措施"):
        _employment(world, amount=Decimal("1"))
    assert Measure.objects.count() == 1


@pytest.mark.parametrize("who", ["cadre", "work_team", "analyst", "evaluator"])
def test_helpers_and_read_only_roles_may_not_write(world, who):
    user = getattr(world, who)
    assert not may_edit_measures(user)
    with pytest.raises(Refused):
        _employment(world, acting_user=user)
    assert not Measure.objects.exists()


@pytest.mark.parametrize("who", ["village_clerk", "township_officer", "county_admin", "sysadmin"])
def test_record_keepers_may_write(world, who):
    assert may_edit_measures(getattr(world, who))
    _employment(world, acting_user=getattr(world, who))
    assert Measure.objects.count() == 1


def test_a_household_out_of_reach_is_not_found(world):
    with pytest.raises(OutOfReach):
        _employment(world, household_code=world.neighbour.code, member_id=_daughter(world.neighbour).pk)
    with pytest.raises(Http404):
        _employment(world, household_code="1408261002339999")


def test_update_changes_fields_validates_and_keeps_history(world):
    measure = _employment(world)
    changed = measure_update(acting_user=world.township_officer, measure_id=measure.pk,
                             data={"amount": "20000", "details": {"months": 10}}, reason="核实")
    assert set(changed) == {"amount", "details"}
    measure.refresh_from_db()
    assert measure.amount == Decimal("20000.00") and measure.details == {"months": 10}
    latest = measure.history.first()
    assert latest.history_user == world.township_officer and latest.history_change_reason == "核实"
    with pytest.raises(MeasureError, match="结束日期"):
        measure_update(acting_user=world.village_clerk, measure_id=measure.pk, data={"end": datetime.date(2023, 1, 1)})
    measure.refresh_from_db()
    assert measure.end is None
    assert measure_update(acting_user=world.village_clerk, measure_id=measure.pk, data={"amount": "20000"}) == []


def test_update_out_of_reach_is_not_found_and_a_cadre_is_refused(world):
    measure = _employment(world)
    with pytest.raises(OutOfReach):
        measure_update(acting_user=world.outsider, measure_id=measure.pk, data={"name": "x"})
    with pytest.raises(Refused):
        measure_update(acting_user=world.cadre, measure_id=measure.pk, data={"name": "x"})
    measure.refresh_from_db()
    assert measure.name == "县城务工"


def test_end_sets_the_end_date_not_before_the_start(world):
    measure = _employment(world)
    with pytest.raises(MeasureError, match="不能早于开始日期"):
        measure_end(acting_user=world.village_clerk, measure_id=measure.pk, end=datetime.date(2024, 1, 1))
    measure_end(acting_user=world.village_clerk, measure_id=measure.pk, end=datetime.date(2024, 11, 30), reason="返乡")
    measure.refresh_from_db()
    assert measure.end == datetime.date(2024, 11, 30)
    assert measure.history.first().history_user == world.village_clerk


@pytest.mark.parametrize("name, content, suffix", [("合同.pdf", PDF, ".pdf"), ("照片.jpg", jpeg_bytes(), ".jpg"),
                                                   ("名单.png", png_bytes(), ".png")])
def test_evidence_pdf_jpeg_png_is_stored_and_audited(world, name, content, suffix):
    measure = _employment(world)
    item = measure_evidence_add(acting_user=world.village_clerk, measure_id=measure.pk,
                                upload=SimpleUploadedFile(name, content))
    assert item.name == name and item.file.name.endswith(suffix)
    assert item.file.read() == content
    event = AuditEvent.objects.get(action=AuditEvent.Action.UPLOAD)
    assert event.detail["what"] == "measure_evidence" and event.detail["evidence"] == item.pk


@pytest.mark.parametrize("name, content, message", [
    ("合同.pdf", b"<html><script>alert(1)</script></html>", "不是可以打开的"),
    ("照片.jpg", b"GIF89a" + b"\0" * 100, "不是可以打开的"),
    ("半截.pdf", b"%PDF-1.4\n1 0 obj", "不是完整的 PDF"),
    ("空.pdf", b"", "空文件"),
])
def test_evidence_that_is_not_a_pdf_or_an_image_is_refused(world, name, content, message):
    measure = _employment(world)
    with pytest.raises(MeasureError, match=message):
        measure_evidence_add(acting_user=world.village_clerk, measure_id=measure.pk,
                             upload=SimpleUploadedFile(name, content))
    assert not MeasureEvidence.objects.exists()


def test_evidence_over_the_size_limit_is_refused(world, monkeypatch):
    from jingzhun.assistance.services import measures as services

    monkeypatch.setattr(services, "EVIDENCE_MAX_BYTES", 10)
    measure = _employment(world)
    with pytest.raises(MeasureError, match="不能超过"):
        measure_evidence_add(acting_user=world.village_clerk, measure_id=measure.pk,
                             upload=SimpleUploadedFile("合同.pdf", PDF))


def test_evidence_by_a_cadre_is_refused(world):
    measure = _employment(world)
    with pytest.raises(Refused):
        measure_evidence_add(acting_user=world.cadre, measure_id=measure.pk, upload=SimpleUploadedFile("a.pdf", PDF))
