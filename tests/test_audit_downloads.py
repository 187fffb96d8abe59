"""Every download and export leaves an audit row (who, when, from where, what, how many); so do admin changes
to users, roles and units (old → new)."""

from __future__ import annotations

import pytest
from django.utils import timezone
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from jingzhun.accounts.models import AuditEvent, Role
from jingzhun.exchange.models import ImportJob
from jingzhun.orgunits.models import OrgUnit
from jingzhun.workflows import publicity, services

from .exchange_files import set_cell, synth_folder
from .people import XIAGAOCHI
from .test_dashboard_views import _profiles
from .test_exchange_import_views import _only_township, _upload
from .workflow_helpers import candidate

IP = "10.20.30.40"


def _last(action=None) -> AuditEvent:
    events = AuditEvent.objects.all()
    if action:
        events = events.filter(action=action)
    return events.order_by("-pk").first()


@pytest.mark.django_db(transaction=True)
def test_dashboard_exports_json_and_bulletin_are_audited(world, client):
    _profiles()
    client.force_login(world.county_admin)
    assert client.get(reverse("dashboard:overview_export", args=["140826"]), REMOTE_ADDR=IP).status_code == 200
    event = _last(AuditEvent.Action.EXPORT)
    assert (event.actor, event.ip, event.target) == (world.county_admin, IP, "140826-indicators.xlsx")
    townships = OrgUnit.objects.filter(parent_id="140826").count()
    assert event.detail["count"] == townships and event.detail["what"] == "indicators"  # a row per township
    assert event.detail["path"] == "/dashboard/140826/export.xlsx"
    client.get(reverse("dashboard:overview_json", args=["140826"]), REMOTE_ADDR=IP)
    event = _last(AuditEvent.Action.DOWNLOAD)
    assert event.target == "140826/indicators.json" and event.detail["count"] == townships + 1
    client.get(reverse("dashboard:bulletin_download", args=["140826"]), REMOTE_ADDR=IP)
    event = _last(AuditEvent.Action.DOWNLOAD)
    assert event.detail["what"] == "bulletin" and event.detail["count"] > 0 and event.actor == world.county_admin


@pytest.mark.django_db
def test_notice_pdf_print_and_evidence_downloads_are_audited(world, client, settings):
    settings.JINGZHUN_INDICATOR_AUTO_REFRESH = False
    household, members = candidate()
    p = services.entry_open(acting_user=world.village_clerk, village_code=XIAGAOCHI, household=household,
                            members=members, year=2018)
    client.force_login(world.village_clerk)
    client.post(reverse("workflows:procedure_act", args=[p.pk]),
                {"step": "group_review", "decision": "approve",
                 "evidence": SimpleUploadedFile("评议记录.pdf", b"%PDF-1.4 x", content_type="application/pdf")})
    services.procedure_act(acting_user=world.village_clerk, procedure_id=p.pk, step="village_review", approve=True)
    record = p.records.get(step="group_review")
    client.get(reverse("workflows:evidence", args=[record.pk]), REMOTE_ADDR=IP)
    event = _last(AuditEvent.Action.DOWNLOAD)
    assert (event.target, event.ip, event.detail["what"], event.detail["count"]) == ("评议记录.pdf", IP, "evidence", 1)
    batch = publicity.batch_open(acting_user=world.village_clerk, kind="entry", step="village_publicity",
                                 procedure_ids=[p.pk], start=timezone.localdate())
    client.get(reverse("workflows:batch_pdf", args=[batch.pk]))
    event = _last(AuditEvent.Action.DOWNLOAD)
    assert (event.target, event.detail["what"], event.detail["count"]) == (batch.title, "notice_pdf", 1)
    client.get(reverse("workflows:batch_print", args=[batch.pk]))
    assert _last(AuditEvent.Action.DOWNLOAD).detail["what"] == "notice_print"


@pytest.mark.django_db
def test_the_import_error_workbook_download_is_audited(world, client, tmp_path, django_capture_on_commit_callbacks):
    folder = synth_folder(tmp_path / "in", households=20)
    _only_township(folder)
    set_cell(folder / "户表.csv", 3, "脱贫状态", "脱贫了")
    client.force_login(world.township_officer)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("exchange:import_start"), {"files": _upload(folder)})
    job = ImportJob.objects.get()
    client.get(reverse("exchange:import_errors", kwargs={"job_id": job.pk}), REMOTE_ADDR=IP)
    event = _last(AuditEvent.Action.DOWNLOAD)
    assert (event.actor, event.detail["what"], event.detail["count"], event.ip) == (
        world.township_officer, "import_errors", 1, IP)


@pytest.mark.django_db
def test_an_admin_change_of_role_and_unit_is_audited_old_to_new(world, client):
    client.force_login(world.sysadmin)
    user = world.village_clerk
    data = {"username": user.username, "role": Role.TOWNSHIP_OFFICER, "org_unit": "140826100",
            "full_name": user.full_name, "phone": "", "is_active": "on", "date_joined_0": "2026-01-01",
            "date_joined_1": "08:00:00", "email": "", "first_name": "", "last_name": ""}
    response = client.post(f"/admin/accounts/user/{user.pk}/change/", data, REMOTE_ADDR=IP)
    assert response.status_code == 302, response.content.decode()[:2000]
    event = _last(AuditEvent.Action.USER_CHANGE)
    assert (event.actor, event.target, event.ip) == (world.sysadmin, "village_clerk", IP)
    assert event.detail["changes"]["role"] == [Role.VILLAGE_CLERK, Role.TOWNSHIP_OFFICER]
    assert event.detail["changes"]["org_unit"] == [XIAGAOCHI, "140826100"]
    assert "password" not in event.detail["changes"]


@pytest.mark.django_db
def test_signing_in_is_not_a_user_change(world, client):
    from .people import PASSWORD

    before = AuditEvent.objects.filter(action=AuditEvent.Action.USER_CHANGE).count()
    client.post("/accounts/login/", {"username": "village_clerk", "password": PASSWORD})
    assert AuditEvent.objects.filter(action=AuditEvent.Action.USER_CHANGE).count() == before
