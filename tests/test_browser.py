"""Browser flows a person clicks through: Playwright driving Debian's chromium, headless.

`make test` installs chromium (apt) when it is missing; without /usr/bin/chromium these tests fail
rather than skip, because a skipped browser test is a promise not kept.
"""

from __future__ import annotations

import os
import re

import pytest

from jingzhun.registry.models import Member

from .people import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = os.environ.get("JINGZHUN_CHROMIUM", "/usr/bin/chromium")


@pytest.fixture(scope="module")
def browser():
    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make around it
    # are plain synchronous ones, which Django would otherwise refuse inside a running loop.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    assert os.path.exists(CHROMIUM), f"{CHROMIUM} is missing: run `make test`, which installs Debian's chromium"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run", "--disable-quic"])
        yield browser
        browser.close()
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1366, "height": 768},
                                  locale="en-US")  # an English browser still gets Chinese pages
    page = context.new_page()
    yield page
    context.close()


def login(page, live_server, username):
    """Sign in as `username` in a fresh session; every role lands on its to-do page."""
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/todo/$"))


@pytest.mark.django_db(transaction=True)
def test_village_clerk_edits_member_sees_history_and_is_refused_elsewhere(world, live_server, page):
    login(page, live_server, "village_clerk")
    page.click("text=贫困户")
    page.click(f"text={world.home.code}")
    assert page.locator("h1").inner_text().startswith("贫困户信息")
    daughter = world.home.members.get(relation="之女")
    page.click(f"#member-{daughter.pk} >> text=编辑")
    page.select_option("#id_education", "大专及以上")
    page.select_option("#id_migrant_work", "省外")
    page.fill("#id_migrant_months", "9")
    page.click("button:has-text('保存')")
    page.wait_for_url(re.compile(rf"/households/{world.home.code}/$"))
    assert "已保存，修改了 3 项" in page.inner_text(".messages")
    assert "大专及以上" in page.inner_text(f"#member-{daughter.pk}")
    history = page.inner_text("#history")
    assert "文化程度" in history and "大专及以上" in history and "village_clerk" in history
    assert Member.objects.get(pk=daughter.pk).migrant_months == 9

    # A household of another village (same township): refused, and nothing of it on the page.
    response = page.goto(f"{live_server.url}/households/{world.neighbour.code}/")
    assert response.status == 404
    assert world.neighbour.head_name not in page.content()
    page.screenshot(path=_artifact("village-clerk-refused.png"))


@pytest.mark.django_db(transaction=True)
def test_township_officer_is_refused_another_township(world, live_server, page):
    login(page, live_server, "township_officer")
    page.goto(f"{live_server.url}/households/")
    table = page.inner_text("#households")
    assert world.home.code in table and world.neighbour.code in table
    assert world.other_township.code not in table
    for code in (world.other_township.code, world.other_county.code):
        response = page.goto(f"{live_server.url}/households/{code}/")
        assert response.status == 404
        response = page.goto(f"{live_server.url}/households/{code}/edit/")
        assert response.status == 404
    response = page.goto(f"{live_server.url}/divisions/140826101/")
    assert response.status == 404


@pytest.mark.django_db(transaction=True)
def test_bad_input_in_the_browser_shows_chinese_errors(world, live_server, page):
    login(page, live_server, "village_clerk")
    page.goto(f"{live_server.url}/households/{world.home.code}/edit/")
    page.fill("#id_wage_income", "-100")
    page.fill("#id_phone", "abc")
    page.click("button:has-text('保存')")
    assert "金额不能为负数" in page.inner_text("main form")
    assert "请填写 11 位手机号" in page.inner_text("main form")
    page.screenshot(path=_artifact("household-form-errors.png"), full_page=True)
    world.home.refresh_from_db()
    assert str(world.home.wage_income) == "12000.00"


@pytest.mark.django_db(transaction=True)
def test_division_page_draws_the_chart(world, live_server, page):
    login(page, live_server, "county_admin")
    page.click("nav >> text=区划总览")
    page.wait_for_url(re.compile(r"/divisions/140826/$"))
    page.wait_for_selector("#status-chart canvas")
    assert "古绛镇" in page.inner_text("#children")
    page.screenshot(path=_artifact("county-divisions.png"), full_page=True)


def _artifact(name: str) -> str:
    folder = os.path.join(os.path.dirname(os.path.dirname(__file__)), "test-artifacts")
    os.makedirs(folder, exist_ok=True)
    return os.path.join(folder, name)


@pytest.mark.django_db(transaction=True)
def test_upload_with_errors_then_fixed_file_shows_the_summary(world, live_server, page, tmp_path, settings):
    from jingzhun.registry.models import Household

    from .exchange_files import read_rows, set_cell, synth_folder, write_rows

    settings.UPLOAD_ROOT = tmp_path / "uploads"
    folder = synth_folder(tmp_path / "in", households=30)
    for name, key in (("村表.csv", "村代码"), ("户表.csv", "户编号"), ("人员表.csv", "户编号")):
        head, rows = read_rows(folder / name)
        write_rows(folder / name, head, [r for r in rows if r[head.index(key)].startswith("140826100")])
    good = set_cell(folder / "户表.csv", 2, "识别年度", "2014年")
    files = [str(folder / n) for n in ("村表.csv", "户表.csv", "人员表.csv")]
    before = Household.objects.count()

    login(page, live_server, "township_officer")
    page.click("text=导入数据")
    page.set_input_files("#id_files", files)
    page.click("button:has-text('上传并导入')")
    page.wait_for_url(re.compile(r"/exchange/import/[0-9a-f-]+/$"))
    issues = page.inner_text("#issues")
    assert "户表" in issues and "识别年度" in issues and "2014年" in issues and "四位年份" in issues
    assert "整个文件未导入" in page.inner_text("#run-status")
    page.screenshot(path=_artifact("import-errors.png"), full_page=True)
    assert Household.objects.count() == before

    set_cell(folder / "户表.csv", 2, "识别年度", good)
    page.click("text=再导入一个文件")
    page.set_input_files("#id_files", files)
    page.click("button:has-text('上传并导入')")
    page.wait_for_url(re.compile(r"/exchange/import/[0-9a-f-]+/$"))
    summary = page.inner_text("#summary")
    assert "新增" in summary and "户" in summary
    page.screenshot(path=_artifact("import-summary.png"), full_page=True)
    assert Household.objects.count() > before


@pytest.mark.django_db(transaction=True)
def test_pages_work_under_the_content_security_policy(world, live_server, page):
    """No script, style or handler is blocked by the CSP (issue 12 item 5); charts, tooltips, the language
    switch and htmx still work."""
    from jingzhun.indicators.services import indicators_refresh

    violations = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    page.add_init_script("document.addEventListener('securitypolicyviolation', function (e) {"
                         " (window.__csp = window.__csp || []).push(e.violatedDirective + ' ' + e.blockedURI"
                         " + ' ' + (e.sample || '') + ' ' + (e.target && e.target.outerHTML || '').slice(0, 120)); });")
    indicators_refresh()  # so that the dashboard draws its charts
    login(page, live_server, "county_admin")
    seen = []
    for path, selector in (("/divisions/140826/", "#status-chart canvas"), ("/households/?q=王", "table"),
                           (f"/households/{world.home.code}/", "#history"), ("/checks/problems/", "#filters"),
                           ("/dashboard/140826/", "h1"), ("/dashboard/140826/bulletin/", "form.filters"),
                           ("/checks/runs/", "h1 >> visible=true")):
        page.goto(f"{live_server.url}{path}")
        page.wait_for_selector(selector)
        if path.startswith(("/divisions/", "/dashboard/140826/")) and "bulletin" not in path:
            page.wait_for_selector("canvas")
        for canvas in page.locator("canvas").all()[:3]:  # a tooltip shows on hover
            canvas.scroll_into_view_if_needed()
            box = canvas.bounding_box()
            page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
            page.wait_for_timeout(300)
        seen.extend(f"{path}: {v}" for v in page.evaluate("window.__csp || []"))
    assert not seen and not violations, seen + violations
    page.goto(f"{live_server.url}/divisions/140826/")
    page.select_option("select[name=language]", "en")  # the inline onchange became data-autosubmit
    page.wait_for_function("document.documentElement.lang === 'en'")
