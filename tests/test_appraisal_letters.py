"""目标责任书: letter_save (targets from the indicator catalog, the signed text checked by content with its
SHA-256, audited), who has signed and who has not, and the pages (scope, downloads, hostile uploads)."""

from __future__ import annotations

import datetime
import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from jingzhun.accounts.models import AuditEvent
from jingzhun.orgunits.permissions import OutOfReach, Refused
from jingzhun.supervision.models import Letter
from jingzhun.supervision.selectors.appraisal import letters_for_year
from jingzhun.supervision.services.items import LedgerError
from jingzhun.supervision.services.letters import letter_save

from .appraisal_units import units_make
from .helper_people import pdf_bytes, pdf_upload
from .hostile_files import png_bytes

pytestmark = pytest.mark.django_db

SIGNED = datetime.date(2026, 3, 1)
TARGETS = [{"indicator": "HH_POOR", "target": "0", "note": "全部脱贫"}, {"indicator": "POP_POOR", "target": "12.5"}]


@pytest.fixture
def units(world):
    return units_make(world)


def _save(world, agency, *, user=None, targets=TARGETS, document=None, signed_on=SIGNED, year=2026):
    return letter_save(acting_user=user or world.county_admin, agency_id=agency.pk, year=year, targets=targets,
                       signed_on=signed_on, document=document)


def test_county_saves_targets_and_the_signed_pdf_with_its_digest_and_an_upload_audit(world, units):
    content = pdf_bytes()
    letter = _save(world, units.township, document=pdf_upload(content=content))
    assert letter.targets == [{"indicator": "HH_POOR", "target": 0, "note": "全部脱贫"},
                              {"indicator": "POP_POOR", "target": 12.5, "note": ""}]
    assert letter.document_sha256 == hashlib.sha256(content).hexdigest()
    assert letter.document.name.endswith(".pdf") and letter.document.read() == content
    event = AuditEvent.objects.get(action=AuditEvent.Action.UPLOAD)
    assert event.detail["what"] == "target_letter" and event.detail["sha256"] == letter.document_sha256


def test_saving_again_replaces_the_targets_keeps_the_document_and_the_history(world, units):
    first = _save(world, units.dept, document=pdf_upload())
    again = _save(world, units.dept, targets=[{"indicator": "HH_EXITED", "target": "30"}])
    assert again.pk == first.pk and again.targets == [{"indicator": "HH_EXITED", "target": 30, "note": ""}]
    assert again.document and again.document_sha256 == first.document_sha256
    assert Letter.objects.count() == 1 and again.history.count() == 2


def test_a_photo_is_a_signed_text_too(world, units):
    letter = _save(world, units.township, document=SimpleUploadedFile("扫描.png", png_bytes()))
    assert letter.document.name.endswith(".png")


@pytest.mark.parametrize("targets, words", [
    ([{"indicator": "NOT_AN_INDICATOR", "target": "1"}], "不是指标目录中的指标"),
    ([{"indicator": "HH_POOR", "target": "许多"}], "目标值应为数字"),
    ([{"indicator": "HH_POOR", "target": "1"}, {"indicator": "HH_POOR", "target": "2"}], "重复"),
    ([{"indicator": "", "target": "", "note": ""}], "至少填写一个指标"),
    ([{"indicator": "HH_POOR", "target": "NaN"}], "目标值应为数字"),
])
def test_bad_targets_are_refused_and_nothing_is_stored(world, units, targets, words):
    with pytest.raises(LedgerError, match=words):
        _save(world, units.township, targets=targets, document=pdf_upload())
    assert not Letter.objects.exists() and not AuditEvent.objects.filter(action=AuditEvent.Action.UPLOAD).exists()


@pytest.mark.parametrize("signed_on, words", [(None, "请填写签订日期"), (datetime.date(2099, 1, 1), "不能晚于今天"),
                                              (datetime.date(2020, 1, 1), "年度内")])
def test_a_missing_future_or_other_year_signing_date_is_refused(world, units, signed_on, words):
    with pytest.raises(LedgerError, match=words):
        _save(world, units.township, signed_on=signed_on)
    assert not Letter.objects.exists()


@pytest.mark.parametrize("name, content", [
    ("责任书.pdf", b"<html><script>alert(1)</script></html>"),  # a web page named as a PDF
    ("责任书.pdf", pdf_bytes()[:200]),  # a PDF cut short
    ("责任书.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 64),  # a JPEG header and nothing else
])
def test_a_hostile_or_broken_document_is_refused_by_its_content(world, units, name, content):
    with pytest.raises(LedgerError):
        _save(world, units.township, document=SimpleUploadedFile(name, content))
    assert not Letter.objects.exists() and not AuditEvent.objects.filter(action=AuditEvent.Action.UPLOAD).exists()


def test_only_the_county_saves_letters_and_out_of_reach_is_404(world, units):
    for user in (world.township_officer, world.department, world.analyst, world.evaluator):
        with pytest.raises((Refused, OutOfReach)):
            _save(world, units.township, user=user)
    with pytest.raises(OutOfReach):
        _save(world, units.township, user=world.outsider)
    _save(world, units.outside, user=world.outsider)
    assert Letter.objects.get().agency == units.outside


def test_letters_for_year_says_who_has_signed_and_who_has_not_in_each_reach(world, units):
    _save(world, units.township, document=pdf_upload())
    _save(world, units.dept)  # targets, but no signed text yet
    rows = letters_for_year(world.county_admin, county="140826", year=2026)
    state = {r.agency.name: (r.signed, r.targets) for r in rows}
    assert state == {units.township.name: (True, 2), units.other_township.name: (False, 0), "县民政局": (False, 2)}
    assert [r.agency for r in letters_for_year(world.township_officer, county="140826", year=2026)] == [units.township]
    assert [r.agency for r in letters_for_year(world.department, county="140826", year=2026)] == [units.dept]
    assert letters_for_year(world.village_clerk, county="140826", year=2026) == []
    assert letters_for_year(world.outsider, county="140826", year=2026) == []
    assert letters_for_year(world.county_admin, county="140826", year=2025)[0].letter is None


# --- pages ----------------------------------------------------------------------------------------------

def _post(units, agency=None, **extra):
    data = {"t-TOTAL_FORMS": "2", "t-INITIAL_FORMS": "0", "t-0-indicator": "HH_POOR", "t-0-target": "0",
            "t-0-note": "清零", "t-1-indicator": "", "t-1-target": "", "signed_on": "2026-03-01"}
    data.update(extra)
    return data


def test_the_county_registers_a_letter_on_its_page_and_the_list_shows_it_signed(client, world, units):
    client.force_login(world.county_admin)
    url = reverse("supervision:letter_edit", args=[units.township.pk, 2026])
    response = client.post(url, _post(units, document=pdf_upload()))
    assert response.status_code == 302
    letter = Letter.objects.get()
    assert letter.targets == [{"indicator": "HH_POOR", "target": 0, "note": "清零"}]
    page = client.get(reverse("supervision:letter_list"), {"county": "140826", "year": "2026"})
    text = page.content.decode()
    assert "已签订" in text and "未签订" in text and "县民政局" in text
    assert reverse("supervision:letter_document", args=[letter.pk]) in text
    assert "应签订 3 个单位，已签订 1 个" in text


def test_a_hostile_upload_on_the_page_is_refused_with_a_message_and_changes_nothing(client, world, units):
    client.force_login(world.county_admin)
    url = reverse("supervision:letter_edit", args=[units.township.pk, 2026])
    response = client.post(url, _post(units, document=SimpleUploadedFile("x.pdf", b"MZ\x90\x00 not a pdf")))
    assert response.status_code == 400
    assert "不是可以打开的 PDF、JPG 或 PNG 文件" in response.content.decode()
    assert not Letter.objects.exists()


def test_a_bad_target_on_the_page_is_shown_and_nothing_is_stored(client, world, units):
    client.force_login(world.county_admin)
    url = reverse("supervision:letter_edit", args=[units.township.pk, 2026])
    response = client.post(url, _post(units, **{"t-0-indicator": "EVIL", "t-0-target": "x"}))
    assert response.status_code == 400 and not Letter.objects.exists()


def test_the_document_downloads_as_its_checked_type_and_is_audited(client, world, units):
    content = pdf_bytes()
    letter = _save(world, units.township, document=pdf_upload(content=content))
    client.force_login(world.township_officer)
    response = client.get(reverse("supervision:letter_document", args=[letter.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == content
    event = AuditEvent.objects.filter(action=AuditEvent.Action.DOWNLOAD).latest("pk")
    assert event.detail["what"] == "target_letter" and event.detail["letter"] == letter.pk


def test_townships_and_departments_read_their_own_letter_only(client, world, units):
    own, other = _save(world, units.township, document=pdf_upload()), _save(world, units.dept, document=pdf_upload())
    client.force_login(world.township_officer)
    assert client.get(reverse("supervision:letter_edit", args=[units.township.pk, 2026])).status_code == 200
    assert client.get(reverse("supervision:letter_edit", args=[units.dept.pk, 2026])).status_code == 404
    assert client.get(reverse("supervision:letter_document", args=[other.pk])).status_code == 404
    listing = client.get(reverse("supervision:letter_list"), {"year": "2026"}).content.decode()
    assert units.township.name in listing and "县民政局" not in listing
    client.force_login(world.department)
    assert client.get(reverse("supervision:letter_document", args=[other.pk])).status_code == 200
    assert client.get(reverse("supervision:letter_document", args=[own.pk])).status_code == 404


def test_readers_may_not_write_clerks_are_refused_and_outsiders_get_404(client, world, units):
    url = reverse("supervision:letter_edit", args=[units.township.pk, 2026])
    client.force_login(world.township_officer)
    page = client.get(url)
    assert page.status_code == 200 and 'id="letter-form"' not in page.content.decode()
    assert client.post(url, _post(units)).status_code == 403
    client.force_login(world.village_clerk)
    assert client.get(reverse("supervision:letter_list")).status_code == 403
    assert client.get(url).status_code == 403
    client.force_login(world.outsider)
    assert client.get(url).status_code == 404
    assert client.post(url, _post(units)).status_code == 404
    assert not Letter.objects.exists()


def test_a_forged_year_or_county_gets_a_clear_answer(client, world, units):
    client.force_login(world.county_admin)
    assert client.get(reverse("supervision:letter_edit", args=[units.township.pk, 1900])).status_code == 404
    response = client.get(reverse("supervision:letter_list"), {"county": "140829", "year": "abc"})
    assert response.status_code == 400 and "筛选条件有误" in response.content.decode()


def test_the_list_prints_and_exports_audited(client, world, units):
    _save(world, units.township, document=pdf_upload())
    client.force_login(world.county_admin)
    url = reverse("supervision:letter_list")
    assert client.get(url, {"year": "2026", "print": "1"}).status_code == 200
    response = client.get(url, {"year": "2026", "format": "xlsx"})
    assert response.status_code == 200 and "spreadsheetml" in response["Content-Type"]
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT, detail__what="letters").exists()
