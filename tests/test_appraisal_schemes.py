"""考评办法: scheme_save (validated, stored with its SHA-256; a bad text refused with a message and nothing
stored), scheme_for (the county's, else the shipped default), and the page (paste, upload, download, scope)."""

from __future__ import annotations

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from jingzhun.accounts.models import AuditEvent
from jingzhun.orgunits.permissions import Refused
from jingzhun.supervision.models import Scheme
from jingzhun.supervision.scheme_format import manual_items, scheme_validate
from jingzhun.supervision.services import schemes
from jingzhun.supervision.services.items import LedgerError
from jingzhun.supervision.services.schemes import SchemeError, scheme_for, scheme_save

from .appraisal_units import SCHEME, units_make

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_default(monkeypatch, tmp_path):
    """No shipped default unless a test puts one (the scoring area ships it)."""
    monkeypatch.setattr(schemes, "DEFAULT_SCHEME", tmp_path / "default.toml")


def test_a_valid_scheme_is_stored_with_its_digest_and_read_back(world):
    scheme = scheme_save(acting_user=world.county_admin, county="140826", year=2026, text=SCHEME)
    assert scheme.sha256 == hashlib.sha256(SCHEME.encode()).hexdigest()
    found = scheme_for("140826", 2026)
    assert found.text == SCHEME and not found.default and found.scheme == scheme
    assert [(m.code, m.name, m.max) for m in manual_items(found.text)] == [("ZF", "工作作风", 10), ("QZ", "群众评议", 15)]


def test_saving_again_replaces_the_text_and_keeps_the_history(world):
    scheme_save(acting_user=world.county_admin, county="140826", year=2026, text=SCHEME)
    changed = SCHEME.replace("points = 10", "points = 8").replace("total = 30", "total = 28")
    scheme = scheme_save(acting_user=world.county_admin, county="140826", year=2026, text=changed)
    assert Scheme.objects.count() == 1 and scheme.text == changed and scheme.history.count() == 2


@pytest.mark.parametrize("text, words", [
    ("", "内容为空"),
    ("[[group]\nname = 1", "不是有效的 TOML"),
    ('title = "只有标题"\n', "至少要有一个"),
    ("group = 3\n", "至少要有一个"),
    # the scoring engine's checks (tests/test_appraisal_scoring.py has them all): points must sum to total
    (SCHEME.replace("total = 30", "total = 40"), "应等于 total"),
    ("a = 1\x00", "二进制"),
    ("[[item]]\n" + "x" * (300 * 1024), "超过"),
])
def test_a_bad_scheme_is_refused_with_a_message_and_nothing_is_stored(world, text, words):
    assert any(words in p for p in scheme_validate(text))
    with pytest.raises(SchemeError, match=words):
        scheme_save(acting_user=world.county_admin, county="140826", year=2026, text=text)
    assert not Scheme.objects.exists()


def test_a_bad_scheme_does_not_replace_a_good_one(world):
    scheme_save(acting_user=world.county_admin, county="140826", year=2026, text=SCHEME)
    with pytest.raises(SchemeError):
        scheme_save(acting_user=world.county_admin, county="140826", year=2026, text="[[item]")
    assert Scheme.objects.get().text == SCHEME


def test_only_the_county_in_reach_saves_a_scheme(world):
    for user in (world.township_officer, world.department, world.analyst, world.outsider, world.village_clerk):
        with pytest.raises(Refused):
            scheme_save(acting_user=user, county="140826", year=2026, text=SCHEME)
    with pytest.raises(LedgerError, match="县级区划代码"):
        scheme_save(acting_user=world.county_admin, county="140826100", year=2026, text=SCHEME)
    with pytest.raises(LedgerError, match="年度"):
        scheme_save(acting_user=world.county_admin, county="140826", year=1800, text=SCHEME)
    assert not Scheme.objects.exists()


def test_without_a_scheme_of_its_own_the_county_gets_the_shipped_default_if_any(world, tmp_path):
    assert scheme_for("140826", 2026) is None
    (tmp_path / "default.toml").write_text(SCHEME, encoding="utf-8")
    found = scheme_for("140826", 2026)
    assert found.default and found.text == SCHEME and found.scheme is None


# --- the page -------------------------------------------------------------------------------------------

def test_the_county_pastes_a_scheme_and_sees_it(client, world):
    client.force_login(world.county_admin)
    url = reverse("supervision:scheme_page")
    response = client.post(url, {"county": "140826", "year": "2026", "text": SCHEME})
    assert response.status_code == 302
    assert Scheme.objects.get(county_id="140826", year=2026).text == SCHEME
    page = client.get(url, {"county": "140826", "year": "2026"}).content.decode()
    assert "工作作风" in page and "绛县 2026 年度脱贫攻坚绩效考评办法" in page


def test_an_uploaded_file_is_used_and_a_binary_one_is_refused(client, world):
    client.force_login(world.county_admin)
    url = reverse("supervision:scheme_page")
    response = client.post(url, {"county": "140826", "year": "2026", "text": "",
                                 "file": SimpleUploadedFile("办法.toml", "\ufeff".encode() + SCHEME.encode())})
    assert response.status_code == 302 and Scheme.objects.get().text == SCHEME
    response = client.post(url, {"county": "140826", "year": "2027", "text": SCHEME,
                                 "file": SimpleUploadedFile("办法.toml", b"\xff\xfe\x00\x01PK\x03\x04")})
    assert response.status_code == 400 and "不是 UTF-8 编码的文本" in response.content.decode()
    assert Scheme.objects.count() == 1


def test_bad_toml_on_the_page_lists_the_problem_and_stores_nothing(client, world):
    client.force_login(world.county_admin)
    response = client.post(reverse("supervision:scheme_page"), {"county": "140826", "year": "2026", "text": "[[group]"})
    assert response.status_code == 400
    text = response.content.decode()
    assert 'id="scheme-problems"' in text and "不是有效的 TOML" in text
    assert not Scheme.objects.exists()


def test_the_scheme_downloads_audited_and_townships_read_but_cannot_write(client, world):
    units_make(world)
    scheme_save(acting_user=world.county_admin, county="140826", year=2026, text=SCHEME)
    url = reverse("supervision:scheme_page")
    client.force_login(world.township_officer)
    page = client.get(url, {"year": "2026"})
    assert page.status_code == 200 and "工作作风" in page.content.decode() and 'id="scheme-form"' not in page.content.decode()
    response = client.get(url, {"year": "2026", "format": "toml"})
    assert response.status_code == 200 and response.content.decode() == SCHEME
    assert AuditEvent.objects.filter(action=AuditEvent.Action.DOWNLOAD, detail__what="appraisal_scheme").exists()
    assert client.post(url, {"county": "140826", "year": "2026", "text": "[[item]]\n"}).status_code == 403
    client.force_login(world.village_clerk)
    assert client.get(url).status_code == 403
    client.force_login(world.outsider)  # another county's admin: 绛县 is not among the choices
    assert client.post(url, {"county": "140826", "year": "2026", "text": "[[item]]\n"}).status_code == 400
    assert Scheme.objects.get().text == SCHEME
