"""The 项目库 in a browser at 1366×768: the fund execution table fits the screen, and a county admin moves a
project on with its button (confirming the dialog)."""

from __future__ import annotations

import os

import pytest

from jingzhun.assistance.models import Project

from .project_helpers import make_project
from .test_browser import browser, login, page  # noqa: F401  (the shared fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.slow]
SHOTS = os.environ.get("JINGZHUN_SCREENSHOTS", "")


@pytest.mark.django_db(transaction=True)
def test_fund_execution_fits_a_laptop_screen_and_a_project_moves_on(world, live_server, page):  # noqa: F811
    project = make_project(world, state="underway")
    make_project(world, code="2025-002", name="横东村道路", state="publicised")
    login(page, live_server, "county_admin")
    page.click("text=衔接资金执行")
    page.select_option("#id_year", "2025") if page.locator("select#id_year").count() else page.fill("#id_year", "2025")
    page.click("text=查询")
    table = page.locator("#execution")
    assert "中央衔接资金" in table.inner_text()
    box = table.bounding_box()
    assert box["x"] + box["width"] <= 1366, "the table needs a horizontal scroll at 1366 px"
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, "fund_execution.png"), full_page=True)
    page.goto(f"{live_server.url}/assistance/projects/{project.pk}/")
    page.on("dialog", lambda dialog: dialog.accept())
    page.click("button[value=completed]")
    page.wait_for_selector("text=项目状态已改为“竣工”")
    assert Project.objects.get(pk=project.pk).state == "completed"
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, "project_detail.png"), full_page=True)
