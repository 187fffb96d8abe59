"""Irreversible buttons ask first and say what will happen (data-confirm, handled by app.js), and the
发布公示 form submits with the date it offers (issue 13: defect 2 and the confirmations)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from jingzhun.workflows import services
from jingzhun.workflows.models import Procedure, PublicityBatch

from .people import XIAGAOCHI
from .scope_world import records_build
from .test_browser import browser, login, page  # noqa: F401  (the shared Playwright fixtures)
from .workflow_helpers import candidate


def _application(world, *, to_publicity=False) -> Procedure:
    household, members = candidate()
    p = services.entry_open(acting_user=world.village_clerk, village_code=XIAGAOCHI, household=household,
                            members=members, year=2018)
    if to_publicity:
        for step in ("group_review", "village_review"):
            services.procedure_act(acting_user=world.village_clerk, procedure_id=p.pk, step=step, approve=True)
    return p


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_dismissing_the_confirmation_submits_nothing_and_accepting_it_does(world, live_server, page, settings):  # noqa: F811
    settings.JINGZHUN_INDICATOR_AUTO_REFRESH = False
    p = _application(world)
    login(page, live_server, "village_clerk")
    detail = f"{live_server.url}{reverse('workflows:procedure_detail', args=[p.pk])}"
    page.goto(detail)
    page.fill("#act textarea[name=note]", "家有轿车")
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.click("#act button[value=reject]")
    page.wait_for_timeout(700)  # time for a submission to leave, if one did
    assert asked and "程序将终止" in asked[0] and "不能恢复" in asked[0]
    assert page.url == detail and page.input_value("#act textarea[name=note]") == "家有轿车"
    p.refresh_from_db()
    assert (p.state, p.step, p.records.count()) == ("open", "group_review", 1)
    # the other button asks its own question
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.click("#act button[value=approve]")
    page.wait_for_timeout(300)
    assert "下一步“村两委评议”" in asked[-1] and Procedure.objects.get(pk=p.pk).records.count() == 1
    # accepted: the step is taken
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#act button[value=reject]")
    page.wait_for_selector("#reason")
    assert Procedure.objects.get(pk=p.pk).state == Procedure.State.REJECTED


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_the_publish_form_submits_with_its_default_date(world, live_server, page, settings):  # noqa: F811
    settings.JINGZHUN_INDICATOR_AUTO_REFRESH = False
    p = _application(world, to_publicity=True)
    login(page, live_server, "village_clerk")
    page.goto(f"{live_server.url}{reverse('workflows:batch_list')}")
    form = page.locator("form.publish").first
    assert form.locator("input[name=start]").input_value() == timezone.localdate().isoformat()  # shown, not empty
    page.once("dialog", lambda dialog: dialog.accept())
    form.locator("button[type=submit]").click()  # nothing typed
    page.wait_for_url(re.compile(r"/workflows/notices/\d+/$"))
    batch = PublicityBatch.objects.get()
    assert batch.start == timezone.localdate() and list(batch.procedures_listed.all()) == [p]


@pytest.mark.django_db
def test_the_irreversible_buttons_of_the_other_pages_say_what_will_happen(world, client, settings):
    settings.JINGZHUN_INDICATOR_AUTO_REFRESH = False
    records = records_build(world)
    client.force_login(world.township_officer)
    page = client.get(reverse("checks:problem_list")).content.decode()
    assert re.search(r'value="approve" data-confirm="确定审核通过？[^"]+"', page)
    assert re.search(r'value="reject" data-confirm="确定退回？[^"]+"', page)
    client.force_login(world.county_admin)
    page = client.get(reverse("compare:review", args=[records.compare_run["140826"].pk])).content.decode()
    assert re.search(r'value="same" class="primary" data-confirm="确定是同一人？[^"]+"', page)
    assert re.search(r'value="different" data-confirm="确定不是同一人？[^"]+"', page)
    client.force_login(world.village_clerk)
    page = client.get(reverse("workflows:batch_detail", args=[records.batch[world.home.code].pk])).content.decode()
    assert 'data-confirm="确定保存处理结果？处理后不能更改；选择“异议成立”将终止该户的程序。"' in page
    _application(world, to_publicity=True)
    page = client.get(reverse("workflows:batch_list")).content.decode()
    assert 'data-confirm="确定发布公示？公示期自所填开始日期起 7 天，发布后不能撤回或修改日期。"' in page
