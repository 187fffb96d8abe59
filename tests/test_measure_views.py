"""帮扶措施 pages: the household page's section, entry, change, end, evidence, the list and its workbook."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from jingzhun.accounts.models import AuditEvent
from jingzhun.assistance.models import Measure, MeasureEvidence
from jingzhun.assistance.services.measures import measure_create, measure_evidence_add

from .people import PASSWORD

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def _login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


def _daughter(household):
    return household.members.order_by("pk")[1]


def _measure(world, household=None, **changes):
    household = household or world.home
    values = dict(acting_user=world.county_admin, household_code=household.code, type="public_post",
                  year=timezone.localdate().year, name="保洁员", start=datetime.date(timezone.localdate().year, 1, 1),
                  amount=Decimal("6000"), member_id=_daughter(household).pk, details={"post": "村道保洁", "months": 12})
    values.update(changes)
    return measure_create(**values)


def test_the_household_page_shows_this_years_and_past_measures_with_a_button_for_writers(world, client):
    _measure(world)
    _measure(world, year=2022, start=datetime.date(2022, 1, 1), name="护路员", amount=Decimal("4800"))
    _login(client, world.village_clerk)
    page = client.get(reverse("registry:household_detail", args=[world.home.code])).content.decode()
    assert 'id="measures"' in page and "帮扶措施" in page
    assert "保洁员" in page and "护路员" in page and "6000" in page and "村道保洁" in page
    assert page.index("保洁员") < page.index("往年") < page.index("护路员")
    assert reverse("assistance:measure_new", args=[world.home.code]) in page


@pytest.mark.parametrize("who", ["cadre", "work_team"])
def test_helpers_read_the_section_without_the_button(world, client, who):
    _measure(world)
    _login(client, getattr(world, who))
    page = client.get(reverse("registry:household_detail", args=[world.home.code])).content.decode()
    assert "保洁员" in page
    assert "登记帮扶措施" not in page
    assert client.get(reverse("assistance:measure_new", args=[world.home.code])).status_code == 403


def test_a_clerk_records_a_measure_from_the_household_page(world, client):
    _login(client, world.village_clerk)
    url = reverse("assistance:measure_new", args=[world.home.code])
    pick = client.get(url).content.decode()
    assert "?type=employment" in pick
    form = client.get(url + "?type=employment").content.decode()
    assert "务工月数" in form and "受益人员" in form
    year = timezone.localdate().year
    response = client.post(url + "?type=employment", {
        "type": "employment", "member": _daughter(world.home).pk, "year": year, "name": "外出务工",
        "amount": "15000", "start": f"{year}-02-01", "end": "", "responsible_unit": "县人社局",
        "continues_after_exit": "", "detail_months": "6", "detail_job": "建筑"})
    measure = Measure.objects.get()
    assert response.status_code == 302 and response.url == reverse("assistance:measure_detail", args=[measure.pk])
    assert measure.details == {"months": 6, "job": "建筑"} and measure.continues_after_exit is True
    assert measure.history.get().history_user == world.village_clerk


def test_a_bad_form_says_why_in_chinese_and_writes_nothing(world, client):
    _login(client, world.village_clerk)
    url = reverse("assistance:measure_new", args=[world.home.code]) + "?type=industry"
    year = timezone.localdate().year
    response = client.post(url, {"type": "industry", "year": year, "name": "养牛", "start": f"{year}-05-01",
                                 "end": f"{year}-01-01"})
    assert response.status_code == 200
    assert "结束日期不能早于开始日期" in response.content.decode()
    assert not Measure.objects.exists()


def test_out_of_reach_pages_are_404(world, client):
    other = _measure(world, household=world.neighbour)
    _login(client, world.village_clerk)
    assert client.get(reverse("assistance:measure_detail", args=[other.pk])).status_code == 404
    assert client.get(reverse("assistance:measure_new", args=[world.neighbour.code])).status_code == 404
    assert client.post(reverse("assistance:measure_end", args=[other.pk]), {"end": "2030-01-01"}).status_code == 404
    other.refresh_from_db()
    assert other.end is None


def test_edit_and_end_a_measure(world, client):
    measure = _measure(world)
    _login(client, world.village_clerk)
    url = reverse("assistance:measure_edit", args=[measure.pk])
    assert "村道保洁" in client.get(url).content.decode()
    year = measure.year
    response = client.post(url, {"type": "public_post", "member": _daughter(world.home).pk, "year": year,
                                 "name": "保洁员", "amount": "7200", "start": f"{year}-01-01",
                                 "continues_after_exit": "1", "detail_post": "村道保洁", "detail_months": "12"})
    assert response.status_code == 302
    measure.refresh_from_db()
    assert measure.amount == Decimal("7200.00")
    response = client.post(reverse("assistance:measure_end", args=[measure.pk]), {"end": f"{year}-06-30"})
    assert response.status_code == 302
    measure.refresh_from_db()
    assert measure.end == datetime.date(year, 6, 30)


def test_evidence_upload_and_audited_download(world, client):
    measure = _measure(world)
    _login(client, world.village_clerk)
    response = client.post(reverse("assistance:measure_evidence_new", args=[measure.pk]),
                           {"file": SimpleUploadedFile("合同.pdf", PDF)})
    assert response.status_code == 302
    item = MeasureEvidence.objects.get()
    page = client.get(reverse("assistance:measure_detail", args=[measure.pk])).content.decode()
    assert "合同.pdf" in page
    _login(client, world.cadre)  # a cadre reads their household's evidence
    response = client.get(reverse("assistance:measure_evidence", args=[item.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == PDF
    assert AuditEvent.objects.filter(action=AuditEvent.Action.DOWNLOAD, detail__what="measure_evidence").count() == 1


def test_a_file_that_is_not_evidence_is_refused_with_a_message(world, client):
    measure = _measure(world)
    _login(client, world.village_clerk)
    response = client.post(reverse("assistance:measure_evidence_new", args=[measure.pk]),
                           {"file": SimpleUploadedFile("合同.pdf", b"<script>alert(1)</script>")}, follow=True)
    assert "不是可以打开的" in response.content.decode()
    assert not MeasureEvidence.objects.exists()


def test_the_list_filters_by_year_type_unit_and_continuing(world, client):
    _measure(world)
    _measure(world, household=world.other_township, type="housing", member_id=None, name="危改", details={},
             year=2023, start=datetime.date(2023, 4, 1))
    _login(client, world.county_admin)
    url = reverse("assistance:measure_list")
    page = client.get(url).content.decode()
    assert "保洁员" in page and "危改" in page
    assert "危改" not in client.get(url, {"year": timezone.localdate().year}).content.decode()
    assert "保洁员" not in client.get(url, {"type": "housing"}).content.decode()
    assert "危改" not in client.get(url, {"township": "140826100"}).content.decode()
    only_ended = client.get(url, {"continuing": "0"}).content.decode()
    assert "危改" in only_ended and "保洁员" not in only_ended
    assert client.get(url, {"township": "140829102"}).status_code == 400


def test_the_list_shows_a_village_clerk_only_their_village(world, client):
    _measure(world)
    _measure(world, household=world.neighbour, name="邻村岗位")
    _login(client, world.village_clerk)
    page = client.get(reverse("assistance:measure_list")).content.decode()
    assert "保洁员" in page and "邻村岗位" not in page


def test_the_list_workbook_is_the_import_sheet_masked_for_read_only_roles_and_audited(world, client):
    _measure(world)
    _login(client, world.cadre)
    response = client.get(reverse("assistance:measure_list"), {"format": "xlsx"})
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert sheet.title == "帮扶措施" and sheet["A1"].value == "户编号"
    id_shown = sheet["B2"].value
    assert id_shown != _daughter(world.home).id_number and "*" in id_shown
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT, detail__what="measures").count() == 1


def test_the_menu_offers_the_list(world, client):
    _login(client, world.work_team)
    page = client.get(reverse("assistance:measure_list")).content.decode()
    assert reverse("assistance:measure_list") in page


def test_evidence_download_of_another_county_is_404(world, client):
    measure = _measure(world, household=world.other_county, acting_user=world.outsider)
    item = measure_evidence_add(acting_user=world.outsider, measure_id=measure.pk,
                                upload=SimpleUploadedFile("a.pdf", PDF))
    _login(client, world.county_admin)
    assert client.get(reverse("assistance:measure_evidence", args=[item.pk])).status_code == 404


def _file(rows, headers=("户编号", "年度", "措施类型", "措施名称", "开始日期", "明细:保障类别")):
    book = openpyxl.Workbook()
    book.active.title = "帮扶措施"
    book.active.append(list(headers))
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile("措施.xlsx", out.getvalue())


def test_a_clerk_imports_a_file_on_the_page(world, client):
    _login(client, world.village_clerk)
    year = timezone.localdate().year
    response = client.post(reverse("assistance:measure_import"),
                           {"file": _file([[world.home.code, year, "兜底保障", "低保", f"{year}-01-01", "低保"]])})
    assert response.status_code == 302 and response.url == reverse("assistance:measure_list")
    measure = Measure.objects.get()
    assert measure.details == {"kind": "低保"} and measure.history.get().history_user == world.village_clerk
    assert AuditEvent.objects.filter(action=AuditEvent.Action.IMPORT, detail__via="网页").count() == 1


def test_a_file_with_errors_lists_them_and_imports_nothing(world, client):
    _login(client, world.village_clerk)
    year = timezone.localdate().year
    response = client.post(reverse("assistance:measure_import"), {"file": _file([
        [world.home.code, year, "兜底保障", "低保", f"{year}-01-01", "五保"],
        [world.neighbour.code, year, "产业帮扶", "养牛", f"{year}-01-01", ""]])})
    assert response.status_code == 400
    page = response.content.decode()
    assert "未导入任何措施" in page and "明细:保障类别" in page and "五保" in page
    assert not Measure.objects.exists()


def test_the_import_page_is_refused_to_helpers(world, client):
    _login(client, world.cadre)
    assert client.get(reverse("assistance:measure_import")).status_code == 403
    _login(client, world.village_clerk)
    assert reverse("assistance:measure_import") in client.get(reverse("assistance:measure_list")).content.decode()
