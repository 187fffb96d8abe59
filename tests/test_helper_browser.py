"""A township officer changes a household's 帮扶责任人 by clicking through, in a real browser: the
household page's 帮扶责任人 section, its 调整 button, the form, and the pairing history shown after."""

from __future__ import annotations

import os

import pytest

from jingzhun.registry.models import Household

from .helper_people import second_cadre, team
from .people import XIAGAOCHI
from .test_browser import browser, login, page  # noqa: F401  (the shared chromium fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.mark.django_db(transaction=True)
def test_township_officer_reassigns_a_household_from_its_page(world, live_server, page):  # noqa: F811
    new = second_cadre()
    team(XIAGAOCHI)
    login(page, live_server, "township_officer")
    page.goto(f"{live_server.url}/households/{world.home.code}/")
    section = page.locator("section#cadre")
    assert "李帮扶" in section.locator("#current-cadre").inner_text()
    section.get_by_role("link", name="调整", exact=True).click()
    page.select_option("#id_cadre", str(new.pk))
    page.fill("#id_reason", "原责任人调离")
    page.click("text=确定调整")
    page.wait_for_url(f"**/households/{world.home.code}/**")
    section = page.locator("section#cadre")
    assert "孙帮扶" in section.locator("#current-cadre").inner_text()
    history = section.locator("#cadre-assignments").inner_text()
    assert "原责任人调离" in history and "李帮扶" in history
    assert Household.objects.get(pk=world.home.pk).cadre == new
    if os.environ.get("JINGZHUN_SCREENSHOTS"):  # for a person looking at the pages
        out = os.environ["JINGZHUN_SCREENSHOTS"]
        section.screenshot(path=f"{out}/household_cadre.png")
        page.goto(f"{live_server.url}/assistance/teams/140826100/")
        page.screenshot(path=f"{out}/team_list.png", full_page=True)
        page.goto(f"{live_server.url}/assistance/cadre/{new.pk}/")
        page.screenshot(path=f"{out}/cadre_detail.png", full_page=True)
