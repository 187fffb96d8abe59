"""The field page on a phone without signal (issue 15's acceptance): offline, three visits and an income
change are recorded, the page reloads offline, and back online everything arrives exactly once; an edit
that met a change made meanwhile on the server is shown with both values, the cadre chooses, both stay."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from jingzhun.assistance.models import EditConflict, Visit, VisitPhoto
from jingzhun.registry.models import Household
from jingzhun.registry.services import household_update

from .notice_photos import jpeg_bytes
from .test_browser import _artifact, browser, login, page  # noqa: F401  (the shared chromium fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(browser):  # noqa: F811
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN",
                                  service_workers="allow")
    page = context.new_page()
    yield page
    context.close()


def _record_visit(page, code: str, needs: str, photo=None):
    page.click(f"#household-{code} >> text=登记走访")
    page.fill("#visit-form [name=met]", "户主")
    page.fill("#visit-form [name=needs]", needs)
    if photo:
        page.set_input_files("#visit-form [name=photos]", photo)
    page.click("#visit-form button[value=save]")
    page.wait_for_selector("#visit-dialog", state="hidden")


def _queued(page, expected: int) -> bool:
    page.wait_for_selector(f"#queue-count:text-is('{expected}')", timeout=10000)
    return True


@pytest.mark.django_db(transaction=True)
def test_offline_visits_and_edits_arrive_once_and_a_conflict_is_chosen(world, live_server, phone, tmp_path):
    page = phone
    code = world.home.code
    login(page, live_server, "cadre")
    page.goto(f"{live_server.url}/assistance/field/")
    page.wait_for_selector(f"#household-{code}")
    assert "本季度未走访" in page.inner_text(f"#household-{code}")
    # the service worker has installed (and cached the shell, the static files and the data) and controls the page
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=15000)
    page.wait_for_selector("#sync-state[data-state=synced]")

    page.context.set_offline(True)
    # Does offline also cut the worker's own network? A change on the server must not reach the page now.
    Household.objects.filter(code=code).update(head_name="王建国改")
    page.reload()
    page.wait_for_selector(f"#household-{code}")
    assert "王建国改" not in page.inner_text("#households"), "the service worker still reached the server offline"
    Household.objects.filter(code=code).update(head_name="王建国")
    assert page.get_attribute("#sync-state", "data-state") == "offline"

    photo = tmp_path / "门前.jpg"
    photo.write_bytes(jpeg_bytes(800, 600))
    _record_visit(page, code, "想学养殖技术", photo=str(photo))
    _record_visit(page, code, "房屋漏雨")
    _record_visit(page, code, "孩子上学路远")
    # one income change (applied on sync) and a housing answer the clerk changes meanwhile (a conflict)
    page.click(f"#household-{code} >> text=修改信息")
    page.fill("#edit-form [name=income_12m]", "9500")
    page.select_option("#edit-form [name=housing_grade]", "C")
    page.click("#edit-form button[value=save]")
    page.wait_for_selector("#edit-dialog", state="hidden")
    assert _queued(page, 5)  # three visits, the income (with its date) and the housing grade

    page.reload()  # still offline: the page opens from the worker's cache and shows the queue
    page.wait_for_selector(f"#household-{code}")
    assert _queued(page, 5)
    assert "待同步" in page.inner_text(".field-status")
    # the photo, shrunk in the browser, waits in IndexedDB as a Blob and is shown from it
    page.wait_for_selector("#queue-list img.thumb")
    assert page.evaluate("() => document.querySelector('#queue-list img.thumb').naturalWidth") > 0
    page.screenshot(path=_artifact("field-offline-queue.png"), full_page=True)
    assert not Visit.objects.exists()

    # meanwhile in the office: the clerk changes the housing grade (the phone had read B)
    household_update(code=code, acting_user=world.village_clerk, data={"housing_grade": "D"}, reason="入户核查")

    page.context.set_offline(False)
    page.wait_for_selector("#queue-count:text-is('0')", timeout=20000)
    page.wait_for_selector("#conflicts:not([hidden])")
    conflict_text = page.inner_text("#conflicts")
    assert "系统中的值" in conflict_text and "手机上的值" in conflict_text
    assert "village_clerk" in conflict_text
    page.screenshot(path=_artifact("field-conflict.png"), full_page=True)

    assert Visit.objects.filter(household_id=code).count() == 3
    assert VisitPhoto.objects.count() == 1
    home = Household.objects.get(code=code)
    assert home.income_12m == Decimal("9500") and home.housing_grade == "D"  # the income arrived, the grade waits
    assert home.history.filter(history_change_reason="走访修改").count() == 1
    conflict = EditConflict.objects.get()
    assert conflict.server_values == {"housing_grade": "D"} and conflict.phone_values == {"housing_grade": "C"}

    # a second sync sends nothing twice
    page.click("#sync-now")
    page.wait_for_selector("#sync-state[data-state=synced]")
    assert Visit.objects.count() == 3 and EditConflict.objects.count() == 1

    page.click("#conflicts >> text=采用手机上的值")
    page.wait_for_selector("#conflicts", state="hidden")
    home = Household.objects.get(code=code)
    assert home.housing_grade == "C" and home.income_12m == Decimal("9500")
    grades = [h.housing_grade for h in home.history.order_by("history_date", "history_id")]
    assert grades[-2:] == ["D", "C"]  # both versions in the history
    conflict.refresh_from_db()
    assert conflict.resolution == "phone" and conflict.server_values["housing_grade"] == "D"

    page.goto(f"{live_server.url}/households/{code}/")
    assert "孩子上学路远" in page.inner_text("#visits")
    page.wait_for_url(re.compile(rf"/households/{code}/$"))


@pytest.mark.django_db(transaction=True)
def test_a_signed_out_session_keeps_the_queue_until_signed_in_again(world, live_server, phone):
    page = phone
    code = world.home.code
    login(page, live_server, "cadre")
    page.goto(f"{live_server.url}/assistance/field/")
    page.wait_for_selector("#sync-state[data-state=synced]")
    page.context.clear_cookies()  # the session is gone (as after the idle timeout)
    _record_visit(page, code, "雨季道路中断")
    page.wait_for_selector("#sync-state[data-state=relogin]")
    assert "请重新登录后同步" in page.inner_text(".field-status")
    assert page.is_visible("#relogin")
    assert _queued(page, 1) and not Visit.objects.exists()

    login(page, live_server, "cadre")
    page.goto(f"{live_server.url}/assistance/field/")
    page.wait_for_selector("#sync-state[data-state=synced]", timeout=20000)
    assert _queued(page, 0)
    assert Visit.objects.get().needs == "雨季道路中断"


@pytest.mark.django_db(transaction=True)
def test_the_clerk_opens_the_field_page_from_the_menu_on_a_desktop(world, live_server, page):
    login(page, live_server, "village_clerk")  # the shared 1366×768 page
    page.click("nav >> text=走访（手机）")
    page.wait_for_url(re.compile(r"/assistance/field/$"))
    page.wait_for_selector(f"#household-{world.home.code}")
    assert world.neighbour.code not in page.inner_text("#households")
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 1366
    page.screenshot(path=_artifact("field-desktop.png"), full_page=True)
