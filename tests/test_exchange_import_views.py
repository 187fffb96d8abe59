"""Uploading files in the web pages: a background job, its progress, its errors, its summary."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from jingzhun.exchange.models import ImportJob
from jingzhun.registry.models import Household

from .exchange_files import read_rows, set_cell, synth_folder, write_rows
from .people import PASSWORD


def _upload(folder, names=("村表.csv", "户表.csv", "人员表.csv")):
    return [SimpleUploadedFile(name, (folder / name).read_bytes(), content_type="text/csv") for name in names]


def _only_township(folder, township="140826100"):
    """Keep the rows of one township (a township officer's reach)."""
    for name, key in (("村表.csv", "村代码"), ("户表.csv", "户编号"), ("人员表.csv", "户编号")):
        head, rows = read_rows(folder / name)
        write_rows(folder / name, head, [r for r in rows if r[head.index(key)].startswith(township)])


@pytest.fixture
def officer(client, world):
    assert client.login(username="township_officer", password=PASSWORD)
    return world.township_officer



@pytest.mark.django_db
def test_upload_runs_the_import_as_a_task_and_shows_the_summary(officer, client, tmp_path, django_capture_on_commit_callbacks):
    folder = synth_folder(tmp_path / "in", households=40)
    _only_township(folder)
    _, households = read_rows(folder / "户表.csv")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("exchange:import_start"), {"files": _upload(folder)})
    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.DONE and job.triggered_by == officer
    page = client.get(response["Location"]).content.decode()
    assert "已导入" in page and 'id="summary"' in page
    assert job.summary["households"]["created"] + job.summary["households"]["updated"] == len(households)
    assert not any(Path(job.folder).iterdir())  # the uploaded files (ID numbers) are gone
    assert Household.history.filter(history_user=officer).count() >= 1


@pytest.mark.django_db
def test_upload_with_errors_shows_the_table_and_offers_the_marked_workbook(officer, client, tmp_path,
                                                                           django_capture_on_commit_callbacks):
    folder = synth_folder(tmp_path / "in", households=40)
    _only_township(folder)
    set_cell(folder / "户表.csv", 3, "脱贫状态", "脱贫了")
    before = Household.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("exchange:import_start"), {"files": _upload(folder)})
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.REFUSED and job.issue_count == 1
    page = client.get(response["Location"]).content.decode()
    assert "脱贫了" in page and "不在可选值中" in page and "整个文件未导入" in page
    assert Household.objects.count() == before
    download = client.get(reverse("exchange:import_errors", kwargs={"job_id": job.pk}))
    book = openpyxl.load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    assert book.sheetnames == ["错误清单", "户表"]
    listing = [list(r) for r in book["错误清单"].iter_rows(values_only=True)]
    assert listing[1][1:5] == ["户表", 3, "脱贫状态", "脱贫了"]
    sheet = book["户表"]
    header = [c.value for c in sheet[1]]
    cell = sheet.cell(row=2, column=header.index("脱贫状态") + 1)
    assert cell.value == "脱贫了" and cell.fill.fgColor.rgb.endswith("F8CBAD") and cell.comment is not None
    assert sheet.cell(row=2, column=1).value == 3  # the row number as Excel showed it


@pytest.mark.django_db
def test_rows_outside_the_officers_township_are_errors(officer, client, tmp_path, django_capture_on_commit_callbacks):
    folder = synth_folder(tmp_path / "in", households=40)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("exchange:import_start"), {"files": _upload(folder)})
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.REFUSED
    assert any("管辖范围" in i["message"] for i in job.issues)


@pytest.mark.django_db
def test_wrong_file_type_is_refused_at_upload(officer, client):
    response = client.post(reverse("exchange:import_start"),
                           {"files": [SimpleUploadedFile("户表.docx", b"PK\x03\x04 not a table")]})
    assert response.status_code == 200
    assert "不是 .xlsx 或 .csv 文件" in response.content.decode()
    assert not ImportJob.objects.exists()


@pytest.mark.django_db
def test_garbage_xlsx_becomes_a_refused_job_not_a_traceback(officer, client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("exchange:import_start"),
                               {"files": [SimpleUploadedFile("户表.xlsx", b"\x00\x01garbage" * 50)]})
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.REFUSED and job.issues
    assert "Traceback" not in client.get(response["Location"]).content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["analyst", "evaluator", "cadre"])
def test_read_only_roles_cannot_upload(world, client, role, tmp_path):
    assert client.login(username=role, password=PASSWORD)
    assert client.get(reverse("exchange:import_start")).status_code == 403
    folder = synth_folder(tmp_path / "in", households=5)
    assert client.post(reverse("exchange:import_start"), {"files": _upload(folder)}).status_code == 403
    assert not ImportJob.objects.exists()


@pytest.mark.django_db
def test_another_users_job_is_not_found(world, client, officer):
    job = ImportJob.objects.create(triggered_by=world.county_admin, folder="/nonexistent", files=["x.csv"])
    assert client.get(reverse("exchange:import_job", kwargs={"job_id": job.pk})).status_code == 404
    assert client.get(reverse("exchange:import_errors", kwargs={"job_id": job.pk})).status_code == 404


@pytest.mark.django_db
def test_running_job_page_polls_with_htmx(world, client, officer):
    job = ImportJob.objects.create(triggered_by=officer, folder="/nonexistent", files=["x.csv"],
                                   status=ImportJob.Status.RUNNING, stage="检查格式", percent=30)
    page = client.get(reverse("exchange:import_job", kwargs={"job_id": job.pk})).content.decode()
    assert 'hx-trigger="every 1s"' in page and "检查格式" in page and 'value="30"' in page
    fragment = client.get(reverse("exchange:import_job", kwargs={"job_id": job.pk}), HTTP_HX_REQUEST="true")
    assert fragment.content.decode().lstrip().startswith("<div id=\"run-status\"")
