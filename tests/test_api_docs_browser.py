"""The API's browsable docs (/api/v1/docs/) render in a real browser under our Content-Security-Policy,
from our own copy of Swagger UI, and "Try it out" calls the API with the signed-in person's session."""

from __future__ import annotations

import pytest

from .test_browser import browser, login, page  # noqa: F401  (the shared Playwright fixtures)


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_the_docs_render_every_operation_with_no_csp_violation(world, live_server, page):  # noqa: F811
    refused = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    outside = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(live_server.url)
            and not r.url.startswith("data:") else None)
    login(page, live_server, "county_admin")
    page.goto(f"{live_server.url}/api/v1/docs/")
    page.wait_for_selector(".opblock", timeout=20_000)
    assert page.locator(".opblock").count() >= 2
    assert "/api/v1/units/" in page.content()
    assert not refused, refused
    assert not outside, outside
    # Try it out: the session the person signed in with answers (GET needs no CSRF token)
    page.locator(".opblock-summary-path", has_text="/api/v1/units/").first.click()
    page.locator("button.try-out__btn").first.click()
    page.locator("button.execute").first.click()
    status = page.locator(".live-responses-table tbody .response-col_status").first
    status.wait_for(timeout=20_000)
    assert status.inner_text().strip() == "200"
