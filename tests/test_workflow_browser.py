"""A candidate household from 农户申请 to 县审定公告 in the browser, by three different people."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from jingzhun.registry.models import Household
from jingzhun.workflows.models import LedgerEvent, Procedure, PublicityBatch

from .people import XIAGAOCHI, id_number
from .test_browser import browser, login, page  # noqa: F401  (the shared Playwright fixtures)
from .workflow_helpers import period_ran

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _open_procedure(page, live_server, head):
    page.goto(f"{live_server.url}/workflows/")
    page.click(f"#procedures >> text={head}")
    page.wait_for_url(re.compile(r"/workflows/procedures/\d+/$"))


def _approve(page, note=""):
    if note:
        page.fill("#act textarea[name=note]", note)
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#act button[value=approve]")
    page.wait_for_selector(".messages")
    assert "已办理" in page.inner_text(".messages"), page.inner_text(".messages")


def _publish_and_close(page, live_server, *, close=True):
    """Publish the first waiting group with the date the form offers (today: nothing typed), let the
    period run, and confirm 公示期满; every confirmation dialog is accepted."""
    page.click("text=公示公告")
    form = page.locator("form.publish").first
    assert form.locator("input[name=start]").input_value() == timezone.localdate().isoformat()
    page.once("dialog", lambda dialog: dialog.accept())
    form.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"/workflows/notices/\d+/$"))
    assert "已发布" in page.inner_text(".messages")
    if close:
        assert page.locator("#close-form").count() == 0  # not before the period is over
        assert "届时才能确认公示期满" in page.inner_text("#period")
        period_ran(PublicityBatch.objects.get(pk=int(page.url.rstrip("/").rsplit("/", 1)[-1])))
        page.reload()
        page.once("dialog", lambda dialog: dialog.accept())
        page.click("#close-form button")
        page.wait_for_selector(".messages")
        assert "公示已结束" in page.inner_text(".messages"), page.inner_text(".messages")


@pytest.mark.django_db(transaction=True)
def test_candidate_from_application_to_announcement_by_three_people(world, live_server, page, settings):
    settings.JINGZHUN_INDICATOR_AUTO_REFRESH = False
    head_id = id_number("140826", "19700202", 801)

    # 村级信息员: the application, both 评议, and the 村内公示.
    login(page, live_server, "village_clerk")
    page.click("nav >> text=程序列表")
    page.click("text=登记识别申请")
    page.fill("#id_head_name", "孙有田")
    page.fill("#id_head_id_number", head_id)
    page.select_option("#id_standard", "国家标准")
    page.select_option("#id_attribute", "一般贫困户")
    page.select_option("#id_main_cause", "因病")
    page.fill("#id_income_year", "2019")
    for field, value in (("wage_income", "3000"), ("business_income", "1200"), ("property_income", "0"),
                         ("transfer_income", "800"), ("business_expense", "400")):
        page.fill(f"#id_{field}", value)
    page.select_option("#id_housing_grade", "B")
    page.select_option("#id_year", "2018")
    for i, (name, ident, relation, sex) in enumerate((
            ("孙有田", head_id, "户主", "男"), ("孙桂兰", id_number("140826", "19720315", 802), "配偶", "女"))):
        page.fill(f"#id_members-{i}-name", name)
        page.fill(f"#id_members-{i}-id_number", ident)
        page.select_option(f"#id_members-{i}-relation", relation)
        page.select_option(f"#id_members-{i}-sex", sex)
        page.select_option(f"#id_members-{i}-health", "健康")
        page.select_option(f"#id_members-{i}-labour", "普通劳动力")
    page.click("button:has-text('登记申请')")
    page.wait_for_url(re.compile(r"/workflows/procedures/\d+/$"))
    assert "已登记识别申请" in page.inner_text(".messages")
    assert page.inner_text("#current-step") == "村民小组评议"
    _approve(page, "村民小组一致同意")
    assert page.inner_text("#current-step") == "村两委评议"
    _approve(page, "村两委评议通过")
    _publish_and_close(page, live_server)

    # 乡镇扶贫专干: 乡镇审核 and 乡镇公示.
    login(page, live_server, "township_officer")
    _open_procedure(page, live_server, "孙有田")
    assert page.inner_text("#current-step") == "乡镇审核"
    _approve(page, "审核通过")
    _publish_and_close(page, live_server)

    # 县级管理员: 部门比对 and 县审定公告.
    login(page, live_server, "county_admin")
    _open_procedure(page, live_server, "孙有田")
    assert page.inner_text("#current-step") == "部门比对"
    page.fill("#act textarea[name=comparison]", "车辆、房产、工商、财政供养、村干部均无比中")
    _approve(page)
    _publish_and_close(page, live_server, close=False)
    page.click("a:has-text('孙有田')")
    page.wait_for_url(re.compile(r"/workflows/procedures/\d+/$"))
    assert page.inner_text("#state") == "已完成"
    records = page.inner_text("#records")
    for who in ("village_clerk", "township_officer", "county_admin"):
        assert who in records

    procedure = Procedure.objects.get()
    household = Household.objects.get(pk=procedure.household_id)
    assert household.code.startswith(XIAGAOCHI) and household.identified_year == 2018
    assert household.members.count() == 2
    assert LedgerEvent.objects.get(procedure=procedure).type == "new"
    page.click(f"text={household.code}")
    page.wait_for_url(re.compile(rf"/households/{household.code}/$"))
    assert "孙有田" in page.inner_text("h1")
