"""The 部门预警 pages: upload (all or nothing, errors listed), the batches, one batch with its hits."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from jingzhun.alerts.models import AlertBatch

from .people import PASSWORD, XIAGAOCHI

HEADER = "姓名,身份证号,村代码,就诊类别,就诊日期,出院日期,医疗总费用,个人自付"


def _csv(rows: list[str]) -> SimpleUploadedFile:
    return SimpleUploadedFile("医保费用.csv", ("\n".join(rows) + "\n").encode("utf-8"), content_type="text/csv")


def _upload(client, rows, user="county_admin"):
    client.login(username=user, password=PASSWORD)
    return client.post(reverse("alerts:home"), {"kind": "medical", "files": [_csv(rows)], "source": "县医保局",
                                                "data_date": "2026-11-30"}, follow=True)


@pytest.mark.django_db(transaction=True)
def test_county_upload_shows_the_batch_with_its_hits_and_figures(world, client):
    head = world.home.head_id_number
    response = _upload(client, [HEADER, f"王建国,{head},{XIAGAOCHI},住院,2026-03-01,2026-03-10,30000,6000"])
    batch = AlertBatch.objects.get()
    assert response.redirect_chain[-1][0] == reverse("alerts:batch", kwargs={"batch_id": batch.pk})
    body = response.content.decode()
    assert 'id="alert-hits"' in body and world.home.code in body and "YJ02" in body
    assert "住院个人自付达到预警金额" in body and "6,000.00" in body and "身份证号一致" in body
    assert "示例值" in body
    queue = client.get(reverse("monitoring:lead_list"), {"source": f"部门预警批次 {batch.pk}："})
    assert queue.status_code == 200 and "王建国" in queue.content.decode()  # the national 医保 amounts are example values, and the page says so
    assert "待核实" in body and reverse("monitoring:lead_detail", kwargs={"lead_id": batch.hits.get().lead_id}) in body
    listing = client.get(reverse("alerts:home")).content.decode()
    assert "县医保局" in listing and reverse("alerts:batch", kwargs={"batch_id": batch.pk}) in listing


@pytest.mark.django_db(transaction=True)
def test_a_bad_file_lists_every_error_and_keeps_nothing(world, client):
    response = _upload(client, [HEADER, f"王建国,,{XIAGAOCHI},住院,2026-03-01,,30000,6000",
                                f"李四,,{XIAGAOCHI},急诊,2026-03-01,,300,60"])
    body = response.content.decode()
    assert 'id="alert-issues"' in body and "“就诊类别”为“住院”时必填" in body and "不在可选值中" in body
    assert not AlertBatch.objects.exists()


@pytest.mark.django_db
def test_each_kinds_empty_format_has_its_headers_and_notes(world, client):
    client.login(username="village_clerk", password=PASSWORD)
    response = client.get(reverse("alerts:format_download", kwargs={"kind": "medical"}))
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert book.sheetnames[0] == "医保费用"
    headers = [c.value for c in book["医保费用"][1]]
    assert headers[:2] == ["姓名", "身份证号"] and "个人自付" in headers and "出院日期" in headers
    notes = " ".join(str(c.value) for row in book[book.sheetnames[-1]].iter_rows() for c in row if c.value)
    assert "“出院日期”在“就诊类别”为“住院”时必填" in notes and "YJ02" in notes
    assert client.get(reverse("alerts:format_download", kwargs={"kind": "spaceship"})).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("user", ["village_clerk", "township_officer", "analyst", "evaluator", "cadre"])
def test_the_pages_are_for_county_roles_only(world, client, user):
    client.login(username=user, password=PASSWORD)
    assert client.get(reverse("alerts:home")).status_code == 403
    assert _upload(client, [HEADER], user=user).status_code == 403
    assert not AlertBatch.objects.exists()
