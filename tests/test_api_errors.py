"""The one error shape: a machine code, a message in the caller's language, fields named on validation;
sessions write only with a CSRF token; an unknown /api/ address answers JSON, never the HTML page."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import translation
from rest_framework.test import APIClient

from jingzhun.api.errors import _messages

from .api_helpers import api_client
from .people import XIAGAOCHI, make_household


def test_every_codes_message_is_english_when_english_is_asked_for():
    with translation.override("en"):
        english = _messages()
    with translation.override("zh-hans"):
        chinese = _messages()
    for code, message in english.items():
        assert message.isascii() and message != chinese[code], code


@pytest.mark.parametrize("language, word", [("en", "household"), ("zh-hans", "户编号")])
def test_validation_errors_name_the_field_in_the_callers_language(world, language, word):
    client = api_client(world.village_clerk)
    response = client.post("/api/v1/procedures/", {"kind": "removal", "household": "12"}, format="json",
                           HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and "household" in body["fields"]
    assert isinstance(body["fields"]["household"], list) and body["fields"]["household"][0]
    if language == "en":
        assert body["message"].isascii() and all(m.isascii() for m in body["fields"]["household"])


def test_a_malformed_json_body_is_a_parse_error_not_a_500(world):
    client = api_client(world.village_clerk)
    response = client.post("/api/v1/procedures/", data="{not json", content_type="application/json")
    assert response.status_code == 400 and response.json()["code"] == "parse_error"


def test_an_unknown_api_address_answers_json_and_a_page_address_html(world):
    response = api_client(world.county_admin).get("/api/v1/no-such-thing/")
    assert response.status_code == 404 and response["Content-Type"].startswith("application/json")
    assert response.json()["code"] == "not_found"
    page = Client().get("/no-such-page/")
    assert page.status_code == 404 and page["Content-Type"].startswith("text/html")


def test_a_session_writes_only_with_its_csrf_token(world):
    poor = make_household(XIAGAOCHI, 2, "钱有粮", status="未脱贫")
    session = APIClient(enforce_csrf_checks=True)
    session.force_login(world.village_clerk)
    data = {"kind": "removal", "household": poor.code, "reason_category": "不符合识别标准", "note": "收入超标"}
    refused = session.post("/api/v1/procedures/", data, format="json")
    assert refused.status_code == 403 and refused.json()["code"] == "permission_denied"
    assert session.get("/api/v1/procedures/").status_code == 200  # reads need no token
    token = api_client(world.village_clerk)  # a bearer token is not a cookie: no CSRF to forge
    assert token.post("/api/v1/procedures/", data, format="json").status_code == 201


def test_the_pages_keep_djangos_wording_where_rest_frameworks_catalogue_differs():
    """REST framework's zh_Hans catalogue translates some of Django's messages its own way and, as an app,
    would win over Django's: jingzhun/locale/zh_Hans keeps Django's wording for every one of them."""
    import gettext
    from pathlib import Path

    import django
    import rest_framework

    def catalogue(path: Path) -> dict[str, str]:
        with path.open("rb") as mo:
            return {k: v for k, v in gettext.GNUTranslations(mo)._catalog.items() if isinstance(k, str)}

    djangos = catalogue(Path(django.__file__).parent / "conf/locale/zh_Hans/LC_MESSAGES/django.mo")
    theirs = catalogue(Path(rest_framework.__file__).parent / "locale/zh_Hans/LC_MESSAGES/django.mo")
    differing = {k for k, v in theirs.items() if k and k in djangos and djangos[k] != v}
    assert "This field is required." in differing
    with translation.override("zh-hans"):
        for msgid in differing:
            assert translation.gettext(msgid) == djangos[msgid], msgid
