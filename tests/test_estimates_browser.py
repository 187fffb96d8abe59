"""The estimates page in chromium: the chart draws (ECharts, data by json_script, no CSP error), and the
page fits 1366×768 and a phone (wide tables scroll inside their card)."""

from __future__ import annotations

import pytest

from .estimate_world import exit_assessment
from .test_browser import _artifact, browser, login, page  # noqa: F401  (the shared chromium fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.mark.django_db(transaction=True)
def test_estimates_page_draws_its_chart_and_fits_the_screen(world, live_server, page, browser):  # noqa: F811
    assessment = exit_assessment(world)
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    login(page, live_server, "county_admin")
    page.goto(f"{live_server.url}/assessment/{assessment.pk}/estimates/")
    page.wait_for_selector("#estimate-chart canvas")
    assert "错退率" in page.inner_text("#rates") and "2.96%" in page.inner_text("#rate-wrong_exit_rate")
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
    page.screenshot(path=_artifact("estimates-1366.png"), full_page=True)
    assert not errors, errors

    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True).new_page()
    login(phone, live_server, "county_admin")
    phone.goto(f"{live_server.url}/assessment/{assessment.pk}/estimates/")
    phone.wait_for_selector("#estimate-chart canvas")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.screenshot(path=_artifact("estimates-phone.png"), full_page=True)
    phone.context.close()
