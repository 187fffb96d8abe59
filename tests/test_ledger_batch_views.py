"""The pages of 交办批次 (supervision.views.batches): the list, by hand, the import page with its template and
errors, a batch's progress with the seed's sentence, 批量交办, and the 整改情况通报 (.docx), with scope."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from docx import Document

from jingzhun.accounts.models import AuditEvent
from jingzhun.supervision import ledger_format as fmt
from jingzhun.supervision.models import Batch, Item
from jingzhun.synth.ledger import ledger_batch_workbook

from .ledger_batches import imported_batch, seed_batch

pytestmark = pytest.mark.django_db


def _login(client, user):
    client.force_login(user)
    return client


def _form(tmp_path, **changes):
    path = ledger_batch_workbook(tmp_path / "清单.xlsx")
    data = {"county": "140826", "name": "省督导组反馈问题（2020年第1批）", "source": "inspection",
            "issued_by": "省脱贫攻坚第三督导组", "received_on": "2020-03-10", "deadline": "2020-06-30",
            "create_missing": "on", "file": SimpleUploadedFile("督导组反馈问题.xlsx", path.read_bytes())}
    data.update(changes)
    return data


def test_the_county_imports_the_sheet_from_the_page_and_lands_on_its_progress(world, client, tmp_path):
    _login(client, world.county_admin)
    page = client.get(reverse("supervision:batch_import"))
    assert page.status_code == 200 and "下载问题清单模板" in page.content.decode()
    response = client.post(reverse("supervision:batch_import"), _form(tmp_path), follow=True)
    batch = Batch.objects.get()
    assert response.redirect_chain[-1][0] == reverse("supervision:batch_detail", args=[batch.pk])
    text = response.content.decode()
    assert "导入完成：4 方面 21 个问题" in text and "4 方面 21 个问题，已销号 0 个，剩余 21 个" in text
    assert "批量交办（21 个待交办）" in text
    assert Item.objects.filter(batch=batch).count() == 21


def test_a_bad_sheet_shows_every_error_and_stores_nothing(world, client, tmp_path):
    book = openpyxl.Workbook()
    book.active.title = fmt.SHEET
    book.active.append(list(fmt.HEADERS))
    book.active.append(["1", "饮水安全", "缺水", "", "", "", "县不存在局", "", "", "2020-13-01"])
    out = io.BytesIO()
    book.save(out)
    _login(client, world.county_admin)
    response = client.post(reverse("supervision:batch_import"), _form(
        tmp_path, create_missing="", file=SimpleUploadedFile("bad.xlsx", out.getvalue())))
    assert response.status_code == 400
    text = response.content.decode()
    assert "发现 2 处错误，未导入任何问题" in text and "县不存在局" in text and "不是有效的日期" in text
    assert not Batch.objects.exists()
    # the same errors as a workbook
    response = client.post(reverse("supervision:batch_import"), _form(
        tmp_path, create_missing="", error_workbook="on", file=SimpleUploadedFile("bad.xlsx", out.getvalue())))
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    assert AuditEvent.objects.filter(detail__what="ledger_import_errors").exists()


def test_a_non_spreadsheet_upload_is_a_chinese_error_not_a_traceback(world, client, tmp_path):
    _login(client, world.county_admin)
    response = client.post(reverse("supervision:batch_import"), _form(
        tmp_path, file=SimpleUploadedFile("x.xlsx", b"%PDF-1.4 not a workbook")))
    assert response.status_code == 400 and "不是有效的 Excel 工作簿" in response.content.decode()


def test_only_the_county_may_open_the_import_and_new_pages(world, client):
    for user in (world.township_officer, world.village_clerk, world.analyst, world.department, world.cadre):
        _login(client, user)
        assert client.get(reverse("supervision:batch_import")).status_code == 403
        assert client.get(reverse("supervision:batch_new")).status_code == 403


def test_a_batch_by_hand(world, client):
    _login(client, world.county_admin)
    response = client.post(reverse("supervision:batch_new"), {
        "county": "140826", "name": "县委常委会交办", "source": "meeting", "received_on": "2020-03-01"})
    batch = Batch.objects.get()
    assert response.status_code == 302 and batch.source == "meeting"
    response = client.post(reverse("supervision:batch_new"), {
        "county": "140826", "name": "县委常委会交办", "source": "meeting", "received_on": "2020-03-01"})
    assert response.status_code == 400 and "已有名为" in response.content.decode()
    response = client.post(reverse("supervision:batch_new"), {
        "county": "140826", "name": "乙", "source": "meeting", "received_on": "2020-03-01", "deadline": "2020-02-01"})
    assert response.status_code == 400 and "总时限不能早于交办日期" in response.content.decode()
    assert Batch.objects.count() == 1


def test_the_list_shows_batches_in_reach_with_their_counts(world, client, tmp_path):
    batch = seed_batch(world, tmp_path)
    _login(client, world.county_admin)
    text = client.get(reverse("supervision:batch_list")).content.decode()
    assert batch.name in text and ">21<" in text and ">17<" in text
    assert "导入督导组问题清单" in text
    _login(client, world.outsider)
    assert batch.name not in client.get(reverse("supervision:batch_list")).content.decode()
    _login(client, world.cadre)
    assert client.get(reverse("supervision:batch_list")).status_code == 403
    _login(client, world.analyst)
    text = client.get(reverse("supervision:batch_list")).content.decode()
    assert batch.name in text and "导入督导组问题清单" not in text
    assert client.get(reverse("supervision:batch_list"), {"print": "1"}).status_code == 200


def test_the_progress_page_shows_the_seed_sentence_by_aspect_and_unit(world, client, tmp_path, monkeypatch):
    batch = seed_batch(world, tmp_path)
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a: dt.date(2020, 5, 1))
    _login(client, world.county_admin)
    text = client.get(reverse("supervision:batch_detail", args=[batch.pk])).content.decode()
    assert "4 方面 21 个问题，已销号 17 个，剩余 4 个（逾期 1 个）" in text
    assert 'id="by-aspect"' in text and "精准识别" in text and "逾期 22 天" in text
    assert 'class="timing-overdue"' in text and "批量交办" not in text  # no drafts left


def test_a_township_sees_its_part_an_outsider_nothing_a_helper_is_refused(world, client, tmp_path):
    batch = seed_batch(world, tmp_path)
    url = reverse("supervision:batch_detail", args=[batch.pk])
    _login(client, world.township_officer)
    response = client.get(url)
    assert response.status_code == 200 and "21 个问题" not in response.content.decode()
    _login(client, world.outsider)
    assert client.get(url).status_code == 404
    _login(client, world.work_team)
    assert client.get(url).status_code == 403


def test_batch_assign_from_the_page(world, client, tmp_path):
    batch = imported_batch(world, tmp_path)
    url = reverse("supervision:batch_assign", args=[batch.pk])
    _login(client, world.analyst)
    assert client.post(url).status_code == 403
    _login(client, world.county_admin)
    assert client.get(url).status_code == 405
    response = client.post(url, follow=True)
    assert "已交办 21 个事项" in response.content.decode()
    assert Item.objects.filter(batch=batch, state="assigned").count() == 21


def test_the_report_is_a_gongwen_docx_with_the_sentence_and_the_remaining_items(world, client, tmp_path,
                                                                                monkeypatch):
    batch = seed_batch(world, tmp_path)
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a: dt.date(2020, 5, 1))
    _login(client, world.county_admin)
    response = client.get(reverse("supervision:batch_report", args=[batch.pk]))
    assert response.status_code == 200
    document = Document(io.BytesIO(b"".join(response.streaming_content)))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "关于省督导组反馈问题（2020年第1批）整改情况的通报" in text
    assert "4 方面 21 个问题，已销号 17 个，剩余 4 个（逾期 1 个）" in text
    assert "（一）精准识别：6 个问题，已销号 2 个，剩余 4 个（逾期 1 个）。" in text
    assert "1号问题“一户一档资料不完善”" in text and "已逾期 22 天" in text
    table = document.tables[0]
    assert len(table.rows) == 5 and table.rows[0].cells[3].text == "责任单位"
    assert [r.cells[0].text for r in table.rows[1:]] == ["1", "2", "3", "4"]
    assert document.sections[0].top_margin.mm == pytest.approx(37, abs=0.1)
    event = AuditEvent.objects.get(action=AuditEvent.Action.DOWNLOAD, detail__what="ledger_batch_report")
    assert event.detail["batch"] == batch.pk


def test_the_template_has_the_header_and_its_explanations(world, client):
    _login(client, world.village_clerk)
    response = client.get(reverse("supervision:batch_template"))
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert book.sheetnames == [fmt.SHEET, "填写说明"]
    assert [c.value for c in book[fmt.SHEET][1]] == list(fmt.HEADERS)
