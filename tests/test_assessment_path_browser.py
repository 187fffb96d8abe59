"""Issue 16's whole path, by role, in a browser: the county admin makes the plan, draws the sample and names
the staff; the enumerator collects two households on a phone without signal; the supervisor rejects one, it
is redone; the supervisor and headquarters approve; the estimates page shows 三率一度 from those households."""

from __future__ import annotations

import pytest

from jingzhun.assessment.models import Assessment, Case, Staff

from .test_assessment_field_browser import ANSWERS, _fill, _queued, phone  # noqa: F401  (the phone fixture)
from .test_assessment_plans import build_county, evaluator
from .test_browser import _artifact, browser, login, page  # noqa: F401  (the shared chromium fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

#: the staff the county admin names: two enumerators from other counties (one team), a supervisor, headquarters
STAFF = (("enum_a", "enumerator", "140829"), ("enum_b", "enumerator", "140828"), ("sv", "supervisor", "140829"),
         ("hq", "hq", "140802"))


def _plan(page, live_server) -> Assessment:
    """As the county admin: a plan of one village per stratum and one exited household per village, drawn,
    its staff named and paired."""
    login(page, live_server, "county_admin")
    page.goto(f"{live_server.url}/assessment/new/")
    for name, value in {"year": "2026", "villages_per_stratum": "1", "exited": "1", "not_exited": "0",
                        "monitored": "0", "seed": "20261205"}.items():
        page.fill(f"#plan-form [name={name}]", value)
    page.select_option("#plan-form [name=kind]", "post")
    page.uncheck("#plan-form [name=screen]")
    page.click("#plan-form button[type=submit]")
    page.wait_for_selector("#draw-form")
    assessment = Assessment.objects.get()
    assert assessment.seed == 20261205 and assessment.state == Assessment.State.DRAFT
    page.on("dialog", lambda dialog: dialog.accept())
    page.click("#draw-form button")
    page.wait_for_selector("#villages")
    assert len(page.inner_text("#sha256")) == 64
    page.goto(f"{live_server.url}/assessment/{assessment.pk}/staff/")
    for username, duty, home in STAFF:
        page.fill("#staff-form [name=username]", username)
        page.select_option("#staff-form [name=duty]", duty)
        page.fill("#staff-form [name=home_county]", home)
        page.click("#staff-form button[value=add]")
        page.wait_for_selector(f"#staff td:text-is('{username}')")
    page.click("#teams-form button")
    page.wait_for_selector("#teams td:text-is('第1组')")
    page.screenshot(path=_artifact("assessment-path-staff.png"), full_page=True)
    return assessment


def _review(page, live_server, assessment, case, button: str, reason: str = ""):
    page.goto(f"{live_server.url}/assessment/{assessment.pk}/cases/{case.pk}/")
    if reason:
        page.fill("#review [name=reason]", reason)
    page.click(f"#review >> text={button}")
    page.wait_for_selector(".messages")


@pytest.mark.django_db(transaction=True)
def test_plan_collect_offline_reject_redo_approve_and_the_estimates_appear(world, live_server, page, phone):  # noqa: F811
    build_county(world)
    for username, _duty, home in STAFF:
        evaluator(username, home)
    assessment = _plan(page, live_server)
    assessment.refresh_from_db()
    cases = list(assessment.cases.order_by("order"))
    assert assessment.state == Assessment.State.FIELDWORK and len(cases) == 2  # a village of each stratum
    assert {c.frame for c in cases} == {Case.Frame.EXITED} and len({c.team_id for c in cases}) == 1
    assert set(Staff.objects.filter(team=cases[0].team).values_list("user__username", flat=True)) == {"enum_a", "enum_b"}
    first, second = cases

    # the enumerator, on a phone: both households collected without signal, sent when it returns
    login(phone, live_server, "enum_a")
    phone.goto(f"{live_server.url}/assessment/field/")
    phone.wait_for_selector(f"#case-{second.pk}")
    phone.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=45000)
    phone.wait_for_selector("#sync-state[data-state=synced]")
    phone.context.set_offline(True)
    phone.reload()
    phone.wait_for_selector(f"#case-{first.pk}")
    _fill(phone, first, "开始调查", {**ANSWERS, "wage": "2000", "business": "0"})  # income forgotten
    _fill(phone, second, "开始调查", ANSWERS)
    _queued(phone, 2)
    phone.context.set_offline(False)
    _queued(phone, 0)
    phone.wait_for_selector(f"#case-{first.pk}", state="detached")
    assert set(Case.objects.values_list("state", flat=True)) == {Case.State.COMPLETED}

    # the supervisor sends the first back; the enumerator corrects it on the phone
    login(page, live_server, "sv")
    _review(page, live_server, assessment, first, "退回调查组", reason="工资性收入漏填，请重新核实")
    login(phone, live_server, "enum_a")
    phone.goto(f"{live_server.url}/assessment/field/")
    phone.wait_for_selector(f"#case-{first.pk} .rejection")
    phone.wait_for_selector("#sync-state[data-state=synced]")  # the page's own first sync is over
    phone.click(f"#case-{first.pk} >> text=重新调查")
    phone.fill("#survey-form [name=wage]", "24000")
    phone.click("#survey-form button[value=save]")
    _queued(phone, 0)
    phone.wait_for_selector(f"#case-{first.pk}", state="detached")
    first.refresh_from_db()
    assert first.state == Case.State.COMPLETED and first.wrong_exit is False

    # no estimate before headquarters approves; then the supervisor and headquarters approve both
    login(page, live_server, "hq")
    page.goto(f"{live_server.url}/assessment/{assessment.pk}/estimates/")
    assert page.locator("#rate-wrong_exit_rate").count() == 0 or "—" in page.inner_text("#rate-wrong_exit_rate")
    login(page, live_server, "sv")
    for case in (first, second):
        _review(page, live_server, assessment, case, "审核通过")
    login(page, live_server, "hq")
    for case in (first, second):
        _review(page, live_server, assessment, case, "评估组审核通过")
    assert set(Case.objects.values_list("state", flat=True)) == {Case.State.HQ_APPROVED}

    page.goto(f"{live_server.url}/assessment/{assessment.pk}/estimates/")
    page.wait_for_selector("#rate-wrong_exit_rate")
    point = {key: page.locator(f"#rate-{key} td").nth(1).inner_text() for key in ("wrong_exit_rate", "approval")}
    households = page.locator("#rate-approval td").nth(7).inner_text()
    # neither household wrongly exited, both approve: 0 and 100 per cent, from the two approved households
    assert point["wrong_exit_rate"].startswith("0") and point["approval"].startswith("100"), point
    assert households == "2"
    assert "2" in page.inner_text("#fieldwork")
    page.screenshot(path=_artifact("assessment-path-estimates.png"), full_page=True)
