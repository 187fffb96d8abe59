"""A lead verified 纳入 leads to its 识别纳入: the lead's page links the opening form with the lead's number and
day, and once opened shows the procedure; nobody else is offered the link, and nothing is offered before 纳入."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from jingzhun.monitoring.services import lead_create, lead_verify
from jingzhun.monitoring.vocab import Channel, Result, RiskType

from .people import XIAGAOCHI
from .test_monitoring_procedures import open_entry

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_indicator_refresh(settings):
    settings.JINGZHUN_INDICATOR_AUTO_REFRESH = False


@pytest.fixture
def lead(world):
    return lead_create(channel=Channel.VILLAGE_CHECK, village=XIAGAOCHI, risk_type=RiskType.ILLNESS,
                       description="户主住院，自付费用较高", household=world.home, acting_user=world.village_clerk)


def _page(client, user, lead):
    client.force_login(user)
    return client.get(reverse("monitoring:lead_detail", args=[lead.pk]))


def test_a_lead_verified_for_inclusion_links_the_opening_form_with_its_number_and_day(world, client, lead):
    assert "entry_url" not in _page(client, world.village_clerk, lead).context  # not verified yet
    lead_verify(lead_id=lead.pk, result=Result.INCLUDE, acting_user=world.village_clerk)
    url = _page(client, world.village_clerk, lead).context["entry_url"]
    day = f"{timezone.localdate(lead.created_at):%Y-%m-%d}"
    assert url == reverse("workflows:monitoring_entry_new", args=[world.home.code]) + f"?lead={lead.pk}&reported={day}"
    form = client.get(url).context["form"]
    assert str(form["lead_id"].value()) == str(lead.pk) and str(form["lead_reported_on"].value()) == day


def test_once_opened_the_lead_shows_its_procedure_and_no_second_link(world, client, lead):
    lead_verify(lead_id=lead.pk, result=Result.INCLUDE, acting_user=world.village_clerk)
    procedure = open_entry(world, world.home, cls="脱贫不稳定户", lead_id=lead.pk,
                           lead_day=timezone.localdate(lead.created_at))
    response = _page(client, world.village_clerk, lead)
    assert response.context["entry_procedure"] == procedure and "entry_url" not in response.context
    assert reverse("workflows:procedure_detail", args=[procedure.pk]) in response.content.decode()


@pytest.mark.parametrize("who", ["township_officer", "county_admin"])
def test_only_the_village_clerk_is_offered_the_opening(world, client, lead, who):
    lead_verify(lead_id=lead.pk, result=Result.INCLUDE, acting_user=world.village_clerk)
    assert "entry_url" not in _page(client, getattr(world, who), lead).context


def test_a_lead_not_included_offers_nothing(world, client, lead):
    lead_verify(lead_id=lead.pk, result=Result.EXCLUDE, reason="收入高于监测范围", acting_user=world.village_clerk)
    context = _page(client, world.village_clerk, lead).context
    assert not {"entry_url", "entry_procedure", "entry_unregistered"} & set(context.keys())


def test_the_difficulty_and_the_alert_figures_are_withheld_from_read_only_roles(world, client):
    """A 医保 alert's lead tells of a hospital stay and its bill: the clerk who verifies reads it, an evaluator
    in reach sees the lead but neither the description nor the figures (on the page or in the workbook)."""
    lead = lead_create(channel=Channel.DEPARTMENT, village=XIAGAOCHI, risk_type=RiskType.ILLNESS,
                       household=world.home, description="医保：住院自付 14600 元（尿毒症透析）",
                       source_ref="医保 批次 #1 第 2 行", details={"个人自付": 14600})
    shown = _page(client, world.village_clerk, lead).content.decode()
    assert "尿毒症" in shown and "14600" in shown
    withheld = _page(client, world.evaluator, lead)
    assert withheld.status_code == 200
    body = withheld.content.decode()
    assert "尿毒症" not in body and "14600" not in body and "仅办理人员可见" in body
    book = client.get(reverse("monitoring:lead_list"), {"format": "xlsx"})
    assert book.status_code == 200

    content = b"".join(book.streaming_content)
    cells = [str(c) for row in openpyxl.load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True)
             for c in row]
    assert not any("尿毒症" in c for c in cells) and any("仅办理人员可见" in c for c in cells)


def test_the_queue_says_how_fast_leads_are_verified_and_inclusions_decided(world, client, lead, settings):
    """Counted in the database on SQLite and PostgreSQL alike: mean days lead → 入户核实 result, 识别纳入
    decided (and by their 办结时限), mean days from 入户核实 to 县级审定."""
    from jingzhun.monitoring.models import Lead
    from jingzhun.monitoring.selectors import leads_for, timeliness

    from .test_monitoring_procedures import walk_entry

    lead_verify(lead_id=lead.pk, result=Result.INCLUDE, acting_user=world.village_clerk)
    Lead.objects.filter(pk=lead.pk).update(created_at=lead.created_at - timezone.timedelta(days=2))
    speed = timeliness(world.county_admin, leads_for(world.county_admin))
    assert speed["verify_days"] == pytest.approx(2.0, abs=0.1) and speed["decisions"] == 0
    procedure = open_entry(world, world.home, cls="脱贫不稳定户", lead_id=lead.pk,
                           lead_day=timezone.localdate(lead.created_at))
    walk_entry(world, procedure)
    speed = timeliness(world.county_admin, leads_for(world.county_admin))
    assert (speed["decisions"], speed["on_time"]) == (1, 1) and speed["decide_days"] is not None
    page = _page(client, world.county_admin, lead)
    assert page.status_code == 200
    listed = client.get(reverse("monitoring:lead_list")).content.decode()
    assert "识别纳入已审定 1 件，其中在办结时限内 1 件" in listed


def test_the_verification_note_in_the_log_is_withheld_like_the_result_reason(world, client, lead):
    """The log's 已核实 entry carries the 核实说明 (an illness, a bill): read-only roles see neither."""
    lead_verify(lead_id=lead.pk, result=Result.EXCLUDE, reason="家中有人尿毒症透析，已享受医保", acting_user=world.village_clerk)
    assert "尿毒症" in _page(client, world.village_clerk, lead).content.decode()
    body = _page(client, world.evaluator, lead).content.decode()
    assert "尿毒症" not in body and "仅办理人员可见" in body
