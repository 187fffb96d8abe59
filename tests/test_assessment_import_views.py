"""The results import page and the template download: who may use them, the errors on a refused file, the
summary after a good one."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from jingzhun.accounts.models import AuditEvent
from jingzhun.assessment.models import Case

from .results_files import good_rows, results_world, workbook

pytestmark = pytest.mark.django_db


@pytest.fixture
def rw(world):
    return results_world(world)


def _url(rw, name="assessment:results_import"):
    return reverse(name, kwargs={"assessment_id": rw.assessment.pk})


def _upload(path, name=None):
    return SimpleUploadedFile(name or path.name, path.read_bytes())


def test_headquarters_imports_a_file_and_reads_the_summary(rw, client, tmp_path):
    client.force_login(rw.hq)
    page = client.get(_url(rw))
    assert page.status_code == 200
    text = page.content.decode()
    assert "导入调查结果" in text and _url(rw, "assessment:results_template") in text
    response = client.post(_url(rw), {"file": _upload(workbook(tmp_path / "结果.xlsx", good_rows(rw)))}, follow=True)
    text = response.content.decode()
    assert "3 户问卷已完成" in text and "错退 1 户" in text and "漏评 1 户" in text
    assert Case.objects.filter(state=Case.State.COMPLETED).count() == 3


def test_a_refused_file_lists_its_errors_and_stores_nothing(rw, client, tmp_path):
    client.force_login(rw.supervisor)
    rows = good_rows(rw)
    rows[0][3] = "三"
    response = client.post(_url(rw), {"file": _upload(workbook(tmp_path / "错.xlsx", rows))})
    assert response.status_code == 400
    text = response.content.decode()
    assert 'id="issues"' in text and "家庭人口" in text and "应为整数" in text
    assert not Case.objects.exclude(state=Case.State.ASSIGNED).exists()


def test_a_file_of_another_kind_is_an_error_on_the_page_not_a_500(rw, client):
    client.force_login(rw.hq)
    response = client.post(_url(rw), {"file": SimpleUploadedFile("照片.jpg", b"\xff\xd8\xff\xe0 not a sheet")})
    assert response.status_code == 400 and "不支持的文件类型" in response.content.decode()


def test_no_file_is_a_form_error(rw, client):
    client.force_login(rw.hq)
    response = client.post(_url(rw), {})
    assert response.status_code == 200 and "form-errors" in response.content.decode()


@pytest.mark.parametrize("who", ["enumerator", "county_admin", "village_clerk", "analyst", "sysadmin"])
def test_others_are_refused(rw, world, client, who, tmp_path):
    user = getattr(rw, who, None) or getattr(world, who)
    client.force_login(user)
    assert client.get(_url(rw)).status_code == 403
    assert client.get(_url(rw, "assessment:results_template")).status_code == 403
    response = client.post(_url(rw), {"file": _upload(workbook(tmp_path / "结果.xlsx", good_rows(rw)))})
    assert response.status_code == 403
    assert not Case.objects.exclude(state=Case.State.ASSIGNED).exists()


def test_an_assessment_out_of_reach_is_not_found(world, client):
    other = results_world(world, county="140829")
    client.force_login(world.evaluator)  # bound to 绛县, no duty in 平陆's assessment
    assert client.get(_url(other)).status_code == 404
    assert client.get(_url(other, "assessment:results_template")).status_code == 404


def test_the_template_downloads_prefilled_and_audited(rw, client):
    client.force_login(rw.supervisor)
    response = client.get(_url(rw, "assessment:results_template"))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    ws = book["调查结果"]
    assert [ws.cell(r, 4).value for r in (2, 3, 4)] == ["王建国", "赵德福", "孙大病"]
    assert AuditEvent.objects.filter(action=AuditEvent.Action.DOWNLOAD,
                                     detail__what="assessment_results_template").count() == 1


def test_the_error_workbook_downloads_when_asked_for(rw, client, tmp_path):
    client.force_login(rw.hq)
    rows = good_rows(rw)
    rows[2][1] = rw.exited.household_id
    response = client.post(_url(rw), {"file": _upload(workbook(tmp_path / "错.xlsx", rows)), "error_workbook": "on"})
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    listed = [[c.value for c in row] for row in book["错误清单"].iter_rows(min_row=2)]
    assert [(r[2], r[3]) for r in listed] == [(4, "户编号")] and "户编号应留空" in listed[0][5]
    marked = book["调查结果"]
    assert marked.cell(2, 1).value == 4  # the bad row, with its Excel row number
    assert AuditEvent.objects.filter(detail__what="assessment_results_errors").count() == 1
    assert not Case.objects.exclude(state=Case.State.ASSIGNED).exists()
