"""The survey page on a phone without signal (issue 16's fieldwork acceptance): the evaluator collects two
households offline, they sync when the signal returns; the supervisor rejects one with a reason, it is
redone on the phone, the supervisor approves, headquarters approves."""

from __future__ import annotations

import pytest

from jingzhun.assessment.models import Case, CaseEvent

from .fieldwork_world import fieldwork_build
from .test_browser import _artifact, browser, login, page  # noqa: F401  (the shared chromium fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PHONE = {"width": 390, "height": 844}
BOOLS = ("food_clothing", "education", "medical", "housing", "water")
CHOICES = ("approve_policy", "approve_measures", "approve_exit", "approve_cadres")
ANSWERS = {"persons": "3", "wage": "24000", "business": "3000", **{k: "true" for k in BOOLS},
           **{k: "认可" for k in CHOICES}}


@pytest.fixture
def phone(browser):  # noqa: F811
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN",
                                  service_workers="allow")
    page = context.new_page()
    # a sync runs a worker's fetch, the server and IndexedDB: generous on a machine busy with other tests
    page.set_default_timeout(45000)
    yield page
    context.close()


def _fill(page, case: Case, button: str, answers: dict):
    page.click(f"#case-{case.pk} >> text={button}")
    page.wait_for_selector("#survey-dialog[open]")
    for key, value in answers.items():
        selector = f"#survey-form [name={key}]"
        if key in BOOLS or key in CHOICES:
            page.select_option(selector, value)
        else:
            page.fill(selector, value)
    page.click("#survey-form button[value=save]")
    page.wait_for_selector("#survey-dialog", state="hidden")


def _queued(page, n: int):
    page.wait_for_selector(f"#queue-count:text-is('{n}')", timeout=45000)


def _review(page, live_server, fw, case: Case, button: str, reason: str = ""):
    page.goto(f"{live_server.url}/assessment/{fw.assessment.pk}/cases/{case.pk}/")
    if reason:
        page.fill("#review [name=reason]", reason)
    page.click(f"#review >> text={button}")
    page.wait_for_selector(".messages")


@pytest.mark.django_db(transaction=True)
def test_two_households_offline_one_rejected_redone_and_approved(world, live_server, phone):
    fw = fieldwork_build(world)
    home, neighbour = fw.cases[world.home.code], fw.cases[world.neighbour.code]
    page = phone
    login(page, live_server, "evaluator")
    page.goto(f"{live_server.url}/assessment/field/")
    page.wait_for_selector(f"#case-{home.pk}")
    assert f"case-{fw.cases['other'].pk}" not in page.content()  # the other team's household is not on this phone
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=45000)
    page.wait_for_selector("#sync-state[data-state=synced]")

    page.context.set_offline(True)
    page.reload()  # the page opens from the worker's cache
    page.wait_for_selector(f"#case-{home.pk}")
    assert page.get_attribute("#sync-state", "data-state") == "offline"
    # the home: wage from migrant work forgotten (2,000 a person, below the line) and the exit not approved
    _fill(page, home, "开始调查", {**ANSWERS, "wage": "3000", "business": "3000", "approve_exit": "不认可"})
    _fill(page, neighbour, "开始调查", ANSWERS)
    _queued(page, 2)
    assert page.get_attribute(f"#case-{home.pk}", "data-state") == "queued"
    page.screenshot(path=_artifact("survey-offline-queue.png"), full_page=True)
    assert not Case.objects.filter(state=Case.State.COMPLETED).exists()

    page.context.set_offline(False)
    _queued(page, 0)
    page.wait_for_selector("#sync-state[data-state=synced]")
    page.wait_for_selector(f"#case-{home.pk}", state="detached")  # completed: no longer to collect
    home.refresh_from_db()
    neighbour.refresh_from_db()
    assert home.state == neighbour.state == Case.State.COMPLETED
    assert home.wrong_exit is True and home.approves is False and neighbour.wrong_exit is False
    assert home.started_at is not None and home.ended_at >= home.started_at and home.duration_seconds is not None
    assert home.interviewer == fw.enumerator

    # the supervisor sends the home back with the reason
    login(page, live_server, "supervisor")
    page.goto(f"{live_server.url}/assessment/{fw.assessment.pk}/cases/")
    assert "待我审核" in page.inner_text("#state-tabs")
    _review(page, live_server, fw, home, "退回调查组", reason="务工收入漏填，请重新核实")
    home.refresh_from_db()
    assert home.state == Case.State.REJECTED

    # redone on the phone: the reason is shown, the earlier answers are there to correct
    login(page, live_server, "evaluator")
    page.goto(f"{live_server.url}/assessment/field/")
    page.wait_for_selector(f"#case-{home.pk} .rejection")
    assert "务工收入漏填，请重新核实" in page.inner_text(f"#case-{home.pk}")
    page.click(f"#case-{home.pk} >> text=重新调查")
    assert page.input_value("#survey-form [name=wage]") == "3000.00"
    page.fill("#survey-form [name=wage]", "24000")
    page.select_option("#survey-form [name=approve_exit]", "认可")
    page.click("#survey-form button[value=save]")
    _queued(page, 0)
    page.wait_for_selector(f"#case-{home.pk}", state="detached")
    home.refresh_from_db()
    assert home.state == Case.State.COMPLETED and home.wrong_exit is False and home.approves is True

    login(page, live_server, "supervisor")
    for case in (home, neighbour):
        _review(page, live_server, fw, case, "审核通过")
    login(page, live_server, "headquarters")
    page.goto(f"{live_server.url}/assessment/{fw.assessment.pk}/cases/")
    assert page.locator("#cases tbody tr[data-state=sv_approved]").count() == 2
    for case in (home, neighbour):
        _review(page, live_server, fw, case, "评估组审核通过")
    page.screenshot(path=_artifact("survey-hq-approved.png"), full_page=True)
    assert set(Case.objects.filter(pk__in=(home.pk, neighbour.pk)).values_list("state", flat=True)) == {"hq_approved"}
    assert list(CaseEvent.objects.filter(case=home).values_list("to_state", flat=True)) == [
        "completed", "rejected", "completed", "sv_approved", "hq_approved"]
