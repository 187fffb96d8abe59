"""In Chromium on a phone-sized screen (390×844): the public report page is usable and answers with a
reference number; the clerk then finds the lead on the to-do page and verifies it on the phone."""

from __future__ import annotations

import re

import pytest

from jingzhun.monitoring.models import Lead

from .people import PASSWORD, XIAGAOCHI, id_number
from .test_browser import _artifact, browser  # noqa: F401  (the shared Playwright fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

_FITS = """() => {
  const bad = [];
  if (document.documentElement.scrollWidth > window.innerWidth) { bad.push('page wider than the window'); }
  for (const el of document.querySelectorAll('#report input:not([type=hidden]), #report select, #report textarea, #report button')) {
    const box = el.getBoundingClientRect();
    if (box.right > window.innerWidth || box.height < 30) { bad.push(el.name || el.textContent.trim()); }
  }
  return bad;
}"""


@pytest.fixture
def phone(browser):  # noqa: F811
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                                  device_scale_factor=3, locale="zh-CN")
    page = context.new_page()
    yield page
    context.close()


@pytest.mark.django_db(transaction=True)
def test_a_farmer_reports_on_a_phone_and_the_clerk_verifies_on_a_phone(world, live_server, phone):
    phone.goto(f"{live_server.url}/monitoring/report/140826/")
    assert phone.evaluate(_FITS) == []
    phone.fill("#id_name", "孙大明")
    phone.fill("#id_phone", "13800001111")
    phone.fill("#id_id_number", id_number("140826", "19700101", 5))
    phone.select_option("#id_village", XIAGAOCHI)
    phone.select_option("#id_risk_type", "illness")
    phone.fill("#id_description", "父亲住院，自付 3 万元")
    phone.click("#report button[type=submit]")
    reference = phone.text_content("#reference")
    phone.screenshot(path=_artifact("monitoring-report-phone.png"), full_page=True)
    assert re.fullmatch(r"XS\d{8}[A-Z0-9]{8}", reference)
    assert phone.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    lead = Lead.objects.get()

    phone.goto(f"{live_server.url}/accounts/login/")
    phone.fill("#id_username", "village_clerk")
    phone.fill("#id_password", PASSWORD)
    phone.click("button[type=submit]")
    phone.wait_for_url(re.compile(r"/todo/$"))
    phone.click(f"a[href='/monitoring/leads/{lead.pk}/']")
    phone.select_option("#id_result", "include")
    phone.fill("#id_reason", "入户核实属实")
    phone.click("#verify button[type=submit]")
    phone.wait_for_selector("#result")
    assert phone.text_content("#result").strip() == "纳入"
    assert phone.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
