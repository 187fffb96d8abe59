"""The plan pages: the list, a new plan, the plan's page before and after the draw, the draw button, staff and
teams, the sample workbook and the frame file — as the county admin, an evaluator, a village clerk and
another county.

transactional: the draw reads a registry snapshot through its own connection.
"""

from __future__ import annotations

import hashlib
import io

import openpyxl
import pytest
from django.urls import reverse

from jingzhun.assessment.models import Assessment, Case, Staff
from jingzhun.assessment.services import plans

from .test_assessment_plans import DESIGN, build_county, evaluator
from .test_browser import browser, login, page  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)

FORM = {"year": "2026", "kind": "post", "title": "", "strata": "poor_village", "villages_per_stratum": "3",
        "exited": "4", "not_exited": "1", "monitored": "3", "screen": "on", "screen_per_village": "0", "margin": "3",
        "expected_rate": "3", "deff": "2", "seed": "4242"}


def _plan(world, **design):
    return plans.assessment_create(county="140826", year=2026, kind="post", title="绛县后评估",
                                   design={**DESIGN, **design}, seed=99, acting_user=world.county_admin)


def test_the_county_admin_makes_a_plan_from_the_form_and_sees_its_precision(world, client):
    client.force_login(world.county_admin)
    page = client.get(reverse("assessment:new"))
    assert page.status_code == 200 and "目标误差" in page.content.decode()
    response = client.post(reverse("assessment:new"), {**FORM, "county": "140829"})  # the county is fixed: 绛县
    plan = Assessment.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("assessment:detail", args=[plan.pk])
    assert plan.county == "140826" and plan.seed == 4242 and plan.design["margin"] == pytest.approx(0.03)
    assert plan.design["per_village"] == {"exited": 4, "not_exited": 1, "monitored": 3}
    text = client.get(response["Location"]).content.decode()
    assert "4242" in text and "尚未抽样" in text and 'id="draw-form"' in text
    margin = plans.margin_for(n=2 * 3 * 4, p=0.03, deff=2.0)  # two strata × 3 villages × 4 已脱贫户
    assert f"{margin:.4f}" in text
    listing = client.get(reverse("assessment:list")).content.decode()
    assert plan.title in listing and 'id="plan-new"' in listing


def test_a_design_the_service_refuses_is_shown_on_the_form_and_nothing_is_saved(world, client):
    client.force_login(world.county_admin)
    response = client.post(reverse("assessment:new"), {**FORM, "exited": "0", "not_exited": "0", "monitored": "0"})
    assert response.status_code == 200 and "至少要从一个抽样框" in response.content.decode()
    assert not Assessment.objects.exists()


def test_the_draw_button_draws_once_and_the_page_shows_the_sample(world, client):
    villages = build_county(world)
    plan = _plan(world)
    client.force_login(world.county_admin)
    response = client.post(reverse("assessment:draw", args=[plan.pk]), follow=True)
    plan.refresh_from_db()
    text = response.content.decode()
    assert plan.state == Assessment.State.FIELDWORK and "已抽样" in text
    assert plan.frame_sha256 in text and "立意样本（非概率抽样，不作推断）" in text and 'id="screen-empty"' in text
    assert "贫困村" in text and villages[0] in text and 'id="draw-form"' not in text
    cases = Case.objects.filter(assessment=plan).count()
    again = client.post(reverse("assessment:draw", args=[plan.pk]), follow=True)
    assert "不再重抽" in again.content.decode() and Case.objects.filter(assessment=plan).count() == cases


def test_the_pages_refuse_villages_and_helpers_and_other_counties(world, client):
    plan = _plan(world)
    for person in (world.village_clerk, world.township_officer, world.cadre):
        client.force_login(person)
        assert client.get(reverse("assessment:list")).status_code == 403
        assert client.get(reverse("assessment:detail", args=[plan.pk])).status_code == 403
    client.force_login(world.outsider)
    assert client.get(reverse("assessment:detail", args=[plan.pk])).status_code == 404
    assert client.post(reverse("assessment:draw", args=[plan.pk])).status_code == 404
    client.force_login(world.evaluator)
    assert client.get(reverse("assessment:detail", args=[plan.pk])).status_code == 200
    assert client.post(reverse("assessment:draw", args=[plan.pk])).status_code == 403
    plan.refresh_from_db()
    assert plan.drawn_at is None


def test_staff_are_added_with_the_avoidance_rule_and_teams_assigned_from_the_page(world, client):
    build_county(world)
    plan = plans.assessment_draw(assessment_id=_plan(world).pk, acting_user=world.county_admin)
    local, a, b = evaluator("local", "140826"), evaluator("a"), evaluator("b")
    client.force_login(world.county_admin)
    url = reverse("assessment:staff", args=[plan.pk])
    refused = client.post(url, {"action": "add", "username": "local", "duty": "enumerator", "home_county": "140826"})
    assert "三回避" in refused.content.decode() and not Staff.objects.filter(user=local).exists()
    unknown = client.post(url, {"action": "add", "username": "nobody", "duty": "enumerator", "home_county": "140829"})
    assert "没有这个用户" in unknown.content.decode()
    for person in (a, b):
        assert client.post(url, {"action": "add", "username": person.username, "duty": "enumerator",
                                 "home_county": "140829"}).status_code == 302
    response = client.post(url, {"action": "teams"}, follow=True)
    text = response.content.decode()
    assert "已随机组成 1 个调查组" in text and "第1组" in text
    assert not Case.objects.filter(assessment=plan, team=None).exists()
    client.force_login(world.evaluator)  # an evaluator reads the page, without the forms
    page = client.get(url).content.decode()
    assert "第1组" in page and 'id="staff-form"' not in page
    assert client.post(url, {"action": "teams"}).status_code == 403


def test_the_sample_workbook_and_the_frame_file_are_the_drawn_ones(world, client):
    build_county(world)
    plan = plans.assessment_draw(assessment_id=_plan(world).pk, acting_user=world.county_admin)
    client.force_login(world.evaluator)
    response = client.get(reverse("assessment:sample_xlsx", args=[plan.pk]))
    rows = list(openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.iter_rows(values_only=True))
    assert rows[0][:6] == ("抽中顺序", "村代码", "村", "抽样框", "户编号", "户主")
    assert len(rows) - 1 == Case.objects.filter(assessment=plan).count()
    first = Case.objects.get(assessment=plan, order=1)
    assert rows[1][0] == 1 and rows[1][4] == first.household_id and rows[1][5] == first.head_name
    frame = client.get(reverse("assessment:frame", args=[plan.pk]))
    body = b"".join(frame.streaming_content)
    assert hashlib.sha256(body).hexdigest() == plan.frame_sha256
    redrawn = plans.sample_redraw(body, design=plan.design, seed=plan.seed)
    assert redrawn.households.height == Case.objects.filter(assessment=plan).exclude(frame="screen").count()


def test_the_frame_link_of_an_undrawn_plan_goes_back_to_the_plan(world, client):
    plan = _plan(world)
    client.force_login(world.county_admin)
    response = client.get(reverse("assessment:frame", args=[plan.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("assessment:detail", args=[plan.pk])


def test_the_menu_offers_the_plans_to_counties_and_evaluators_only(world, client):
    for person, shown in ((world.county_admin, True), (world.evaluator, True), (world.village_clerk, False)):
        client.force_login(person)
        text = client.get(reverse("desk:todo")).content.decode()
        assert (reverse("assessment:list") in text) == shown, person.username


@pytest.mark.browser
@pytest.mark.parametrize("width,height", [(1366, 768), (390, 844)])
def test_the_plan_page_draws_and_fits_a_desktop_and_a_phone(world, live_server, page, width, height):  # noqa: F811
    build_county(world)
    plan = _plan(world)
    page.set_viewport_size({"width": width, "height": height})
    login(page, live_server, "county_admin")
    page.goto(f"{live_server.url}{reverse('assessment:detail', args=[plan.pk])}")
    page.on("dialog", lambda dialog: dialog.accept())
    page.click("#draw-form button")
    page.wait_for_selector("#villages")
    assert "立意样本" in page.inner_text("#screen") and len(page.inner_text("#sha256")) == 64
    # nothing but the tables' own scrolling boxes goes past the window
    wide = page.evaluate("""() => [...document.querySelectorAll('main *, .card')].filter(e =>
        !e.closest('.scroll') && e.getBoundingClientRect().right > window.innerWidth + 1)
        .map(e => e.tagName + '#' + e.id + '.' + e.className + ':' + e.textContent.slice(0, 30))""")
    assert wide == []
    from .test_browser import _artifact

    page.screenshot(path=_artifact(f"assessment-plan-{width}.png"), full_page=True)
