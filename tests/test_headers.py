"""Response headers: no-store on everything a signed-in person gets, and a CSP of our own files only.

Issue 12 item 5. The template scan keeps the pages working under that policy: an inline script, style
or event handler would be blocked by the browser.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.urls import reverse

from .people import PASSWORD

ROOT = Path(__file__).resolve().parent.parent / "jingzhun"


def _login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


def _csp(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}


@pytest.mark.django_db
@pytest.mark.parametrize("name, args", [
    ("registry:household_list", []), ("checks:problem_list", []), ("checks:problem_export", []),
    ("exchange:household_export", []), ("dashboard:overview_home", []),
])
def test_signed_in_pages_and_exports_are_no_store_and_carry_the_csp(world, client, name, args):
    _login(client, world.county_admin)
    response = client.get(reverse(name, args=args))
    assert response.status_code in (200, 302)
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    policy = _csp(response)
    for directive in ("script-src", "style-src", "default-src"):
        assert policy[directive] == ["'self'"], policy
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]


@pytest.mark.django_db
def test_household_page_is_no_store(world, client):
    _login(client, world.analyst)
    response = client.get(reverse("registry:household_detail", args=[world.home.code]))
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_sign_in_page_has_the_csp_and_static_files_stay_cacheable(client):
    response = client.get(reverse("accounts:login"))
    assert _csp(response)["script-src"] == ["'self'"]
    static = client.get("/static/jingzhun/app.css")
    assert static.status_code == 200 and "no-store" not in static.get("Cache-Control", "")


_INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I), "inline <script>"),
    (re.compile(r"<style\b", re.I), "inline <style>"),
    (re.compile(r"\sstyle\s*=", re.I), "style attribute"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "inline event handler"),
    (re.compile(r"hx-on", re.I), "hx-on handler (runs as inline script)"),
]


def test_no_template_needs_an_inline_script_or_style():
    offending = []
    for path in sorted(ROOT.rglob("templates/**/*.html")):
        text = path.read_text(encoding="utf-8")
        for pattern, what in _INLINE:
            for match in pattern.finditer(text):
                offending.append(f"{path.relative_to(ROOT)}: {what}: {match.group(0).strip()}")
    assert not offending, "\n".join(offending)
