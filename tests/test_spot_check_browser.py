"""随机抽查 on a phone: the township officer draws two households of a village from the to-do page's menu,
verifies one with the short form beside the registry's values (the page fits the phone's width), and the
discrepancy reaches the village clerk as a problem with a deadline."""

from __future__ import annotations

import re

import pytest

from jingzhun.assessment.models import SpotCheck
from jingzhun.checks.models import Problem

from .people import XIAGAOCHI, make_household
from .test_browser import _artifact, browser, login  # noqa: F401  (the shared chromium fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(browser):  # noqa: F811
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN")
    page = context.new_page()
    yield page
    context.close()


def _fits(page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.mark.django_db(transaction=True)
def test_a_spot_check_drawn_and_verified_on_a_phone_becomes_the_villages_problem(world, live_server, phone):
    page = phone
    make_household(XIAGAOCHI, 2, "李二")
    login(page, live_server, "township_officer")
    page.goto(f"{live_server.url}/assessment/spot-checks/new/")
    page.fill("#id_unit", XIAGAOCHI)
    page.fill("#id_n", "2")
    page.fill("#id_seed", "2024")
    page.click("#spot-new button[type=submit]")
    page.wait_for_url(re.compile(r"/assessment/spot-checks/\d+/$"))
    spot = SpotCheck.objects.get()
    assert str(spot.seed) in page.inner_text("#spot-seed") and spot.frame_sha256 in page.inner_text("#spot-sha")
    assert _fits(page)
    assert page.get_attribute("#redraw a.button", "href") == "?redraw=1#redraw"
    page.goto(page.url + "?redraw=1")
    page.wait_for_selector("#redraw-result")
    assert "抽出的户与记录完全相同" in page.inner_text("#redraw-result")

    item = spot.items.get(household=world.home)
    page.goto(live_server.url + page.get_attribute(f"#item-{item.pk} a", "href"))
    page.wait_for_selector("#spot-verify")
    assert "系统登记：王建国" in page.inner_text("#spot-verify") and _fits(page)
    page.screenshot(path=_artifact("spot-verify-phone.png"), full_page=True)
    page.fill("#id_head_name", "王建国")
    page.fill("#id_persons", "3")
    page.select_option("#id_safe_water", "yes")
    page.click("#spot-verify button[type=submit]")
    page.wait_for_selector(f"#item-{item.pk}")
    assert "1 项不符" in page.inner_text(f"#item-{item.pk}")

    problem = Problem.objects.get(rule="CC01")
    assert problem.household == world.home.code and problem.due is not None
    login(page, live_server, "village_clerk")
    page.goto(f"{live_server.url}/checks/problems/")
    assert "家庭人口（正常状态成员）：系统登记“2”，核实为“3”" in page.inner_text("body")
