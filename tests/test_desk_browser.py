"""In Chromium: every role crawls its menu, reads its to-do page and does its main task from there.

The records waiting for each person are tests/desk_world.py's; the menu must fit 1366×768 in Chinese and
English without a line wrapping, and fold behind the 菜单 button on a 360 px phone.
"""

from __future__ import annotations

import re

import pytest

from jingzhun.checks.models import Problem
from jingzhun.workflows.models import Procedure

from .desk_world import desk_build
from .test_browser import _artifact, browser, login, page  # noqa: F401  (the shared Playwright fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _menu(page) -> list[str]:
    return page.eval_on_selector_all("nav.sidenav a", "links => links.map(a => a.getAttribute('href'))")


#: Whether any menu entry, group heading or the top bar takes more than one line, or overflows.
_WRAPPED = """() => {
  const bad = [];
  for (const el of document.querySelectorAll('.sidenav a, .sidenav h2, .userbox > *, .brand')) {
    const lines = el.getClientRects().length;
    const style = getComputedStyle(el);
    const line = parseFloat(style.lineHeight) || parseFloat(style.fontSize) * 1.6;
    if (lines > 1 || el.getBoundingClientRect().height > line * 1.5 || el.scrollWidth > el.clientWidth + 1) {
      bad.push(el.textContent.trim());
    }
  }
  if (document.querySelector('.topbar').getBoundingClientRect().height > 60) { bad.push('topbar'); }
  if (document.documentElement.scrollWidth > window.innerWidth) { bad.push('page wider than the window'); }
  return bad;
}"""


@pytest.mark.django_db(transaction=True)
def test_every_role_opens_every_menu_entry_without_an_error(world, live_server, page):
    desk_build(world)
    failures, opened = [], 0
    for user in world.users:
        login(page, live_server, user.username)
        links = _menu(page)
        assert "/todo/" in links, user.username
        for href in links:
            response = page.goto(f"{live_server.url}{href}", wait_until="domcontentloaded")
            opened += 1
            if response.status >= 400:
                failures.append((user.username, href, response.status))
            elif href == "/admin/" or not response.headers.get("content-type", "").startswith("text/html") \
                    or page.url != f"{live_server.url}{href}":
                continue  # the admin has no menu of ours; a download (本村明白卡) or a redirect (我的帮扶对象) neither
            else:
                current = page.eval_on_selector_all("nav.sidenav a.current", "a => a.map(e => e.getAttribute('href'))")
                if current != [href]:
                    failures.append((user.username, href, "current", current))
    assert not failures, failures
    assert opened >= 80


@pytest.mark.django_db(transaction=True)
def test_the_menu_fits_an_office_screen_in_both_languages_and_folds_on_a_phone(world, live_server, page):
    desk_build(world)
    for username in ("county_admin", "sysadmin"):
        login(page, live_server, username)
        assert page.evaluate(_WRAPPED) == [], (username, "zh")
        page.select_option("select[name=language]", "en")
        page.wait_for_function("document.documentElement.lang === 'en'")
        assert page.evaluate(_WRAPPED) == [], (username, "en")
        page.screenshot(path=_artifact(f"todo-{username}-en.png"))
        page.select_option("select[name=language]", "zh-hans")
        page.wait_for_function("document.documentElement.lang !== 'en'")
    page.screenshot(path=_artifact("todo-sysadmin.png"))

    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{live_server.url}/todo/")
    assert not page.is_visible("nav.sidenav") and page.is_visible(".menu-button")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.click(".menu-button")
    assert page.is_visible("nav.sidenav >> text=问题数据")
    assert page.get_attribute(".menu-button", "aria-expanded") == "true"
    page.screenshot(path=_artifact("todo-phone-menu.png"), full_page=True)
    page.click("nav.sidenav >> text=问题数据")
    page.wait_for_url(re.compile(r"/checks/problems/$"))
    assert not page.is_visible("nav.sidenav")


@pytest.fixture
def waiting(world, settings, page):
    settings.JINGZHUN_INDICATOR_AUTO_REFRESH = False
    page.on("dialog", lambda dialog: dialog.accept())  # should an irreversible button ask first
    return desk_build(world)


@pytest.mark.django_db(transaction=True)
def test_village_clerk_follows_a_problem_from_the_todo_page_and_claims_it(world, live_server, page, waiting):
    login(page, live_server, "village_clerk")
    assert "Q04" in page.inner_text("#kind-problems")
    page.screenshot(path=_artifact("todo-village-clerk.png"), full_page=True)
    page.click("#kind-problems .todo-list a")
    page.wait_for_url(re.compile(r"/checks/problems/\d+/exception/"))
    page.fill("#id_reason", "该户女儿身份证号经公安核实无误，有户籍证明")
    page.click("#claim button[type=submit]")
    page.wait_for_url(re.compile(r"/todo/$"))
    assert "已申报情况属实" in page.inner_text(".messages")
    assert page.locator("#kind-problems").count() == 0
    assert page.inner_text("#todo-counts [data-kind=problems] b") == "0"
    assert Problem.objects.get(pk=waiting.problems["home-open"].pk).status == Problem.Status.EXCEPTION_PENDING


@pytest.mark.django_db(transaction=True)
def test_township_officer_follows_a_step_from_the_todo_page_and_approves_it(world, live_server, page, waiting):
    login(page, live_server, "township_officer")
    page.click(f"#kind-steps >> text=返贫 · {world.neighbour.head_name}")
    page.wait_for_url(re.compile(r"/workflows/procedures/\d+/$"))
    page.fill("#act textarea[name=note]", "入户核实，因病返贫属实")
    page.click("#act button[value=approve]")
    page.wait_for_selector(".messages")
    assert "已办理" in page.inner_text(".messages"), page.inner_text(".messages")
    assert Procedure.objects.get(pk=waiting.procedures["township-approval"].pk).state == Procedure.State.DONE
    page.click("nav.sidenav >> text=待办")
    page.wait_for_url(re.compile(r"/todo/$"))
    assert page.inner_text("#todo-counts [data-kind=steps] b") == "0"


@pytest.mark.django_db(transaction=True)
def test_county_admin_follows_a_claim_from_the_todo_page_and_approves_it(world, live_server, page, waiting):
    login(page, live_server, "county_admin")
    page.click("#kind-claims .todo-list a")
    page.wait_for_url(re.compile(r"/checks/problems/\?status=exception_pending"))
    page.click("form.review button[value=approve]")
    page.wait_for_selector(".messages")
    assert "已审核通过" in page.inner_text(".messages")
    assert Problem.objects.get(pk=waiting.problems["home-claim"].pk).status == Problem.Status.EXCEPTION


@pytest.mark.django_db(transaction=True)
def test_evaluator_and_cadre_open_their_item_and_read_it(world, live_server, page, waiting):
    login(page, live_server, "evaluator")
    page.click("#kind-evaluations >> text=绛县")
    page.wait_for_url(re.compile(r"/workflows/exit-evaluation/counties/140826/"))
    assert "贫困县退出评估" in page.inner_text("h1")
    login(page, live_server, "cadre")
    page.click(f"#kind-households >> text={world.home.head_name}")
    page.wait_for_url(re.compile(rf"/households/{world.home.code}/$"))
    assert page.inner_text("h1").startswith("贫困户信息")
