"""A form that cannot succeed is not offered, and form errors are summarised at the top (issue 13).

The household page offers a procedure exactly when `services.start_refusal` (the service's own
precondition) lets it start; the opening form of one that cannot start answers a page saying why, with no
form; and every form template shows its errors at the top (`_form_errors.html`) as well as at each field.
"""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from jingzhun.workflows import services
from jingzhun.workflows.definitions import Kind
from jingzhun.workflows.models import Procedure
from jingzhun.workflows.services import WorkflowError

from .people import XIAGAOCHI, make_household
from .scope_world import records_build
from .test_household_edit_view import _household_post_data, _member_post_data
from .workflow_helpers import candidate

pytestmark = pytest.mark.django_db

OPEN_URLS = {Kind.EXIT: "workflows:exit_new", Kind.RETURN: "workflows:return_new",
             Kind.REMOVAL: "workflows:removal_new", Kind.MEMBER_CHANGE: "workflows:member_change_new",
             Kind.MONITORING_ENTRY: "workflows:monitoring_entry_new",
             Kind.RISK_ELIMINATION: "workflows:risk_elimination_new"}


def _offered(client, household) -> set[str]:
    page = client.get(reverse("registry:household_detail", args=[household.code])).content.decode()
    return {kind for kind, name in OPEN_URLS.items() if reverse(name, args=[household.code]) in page}


def test_the_household_page_offers_exactly_the_procedures_that_can_start(world, client):
    poor = make_household(XIAGAOCHI, 2, "钱进财", status="未脱贫")
    client.force_login(world.village_clerk)
    # 已脱贫: a return, a removal or a member change, not an exit; 识别纳入 (a 脱贫户 not monitored), not 风险消除
    assert _offered(client, world.home) == {Kind.RETURN, Kind.REMOVAL, Kind.MEMBER_CHANGE, Kind.MONITORING_ENTRY}
    # 未脱贫: an exit, not a return
    assert _offered(client, poor) == {Kind.EXIT, Kind.REMOVAL, Kind.MEMBER_CHANGE, Kind.MONITORING_ENTRY}
    for household in (world.home, poor):
        for kind in Kind.values:
            if kind == Kind.ENTRY:
                continue
            offered = kind in _offered(client, household)
            assert offered == (services.start_refusal(world.village_clerk, household, kind) is None), (household, kind)
    # with a procedure under way: a link to it, nothing to start
    p = services.procedure_open(acting_user=world.village_clerk, kind=Kind.RETURN, household_code=world.home.code,
                                note="突发大病")
    page = client.get(reverse("registry:household_detail", args=[world.home.code])).content.decode()
    assert _offered(client, world.home) == set()
    assert reverse("workflows:procedure_detail", args=[p.pk]) in page and "办理中：返贫（乡镇审批）" in page


def test_roles_that_do_not_open_procedures_are_offered_none(world, client):
    for user in (world.township_officer, world.county_admin, world.analyst, world.evaluator, world.cadre):
        client.force_login(user)
        assert _offered(client, world.home) == set(), user.username


def test_the_exit_form_of_an_exited_household_answers_why_without_a_form(world, client):
    client.force_login(world.village_clerk)
    url = reverse("workflows:exit_new", args=[world.home.code])
    response = client.get(url)
    page = response.content.decode()
    assert response.status_code == 200 and 'id="refusal"' in page
    assert "该户现在不能办理“户退出”" in page and "该户脱贫状态为“已脱贫”" in page
    assert '<form method="post"' not in page.split('<main', 1)[-1] and 'name="year"' not in page
    # the page's words are the service's
    with pytest.raises(WorkflowError) as refused:
        services.procedure_open(acting_user=world.village_clerk, kind=Kind.EXIT, household_code=world.home.code)
    assert refused.value.message in page
    # a POST sent anyway writes nothing
    client.post(url, {"year": "2020", "note": "申请退出"})
    assert not Procedure.objects.exists()


def test_a_household_with_a_procedure_under_way_links_to_it_from_the_refusal(world, client):
    p = services.procedure_open(acting_user=world.village_clerk, kind=Kind.RETURN, household_code=world.home.code,
                                note="因灾")
    client.force_login(world.village_clerk)
    page = client.get(reverse("workflows:removal_new", args=[world.home.code])).content.decode()
    assert "已有办理中的“返贫”程序" in page and reverse("workflows:procedure_detail", args=[p.pk]) in page


# --- errors at the top of every form ---------------------------------------------------------------------------

def _summary(page: str) -> str:
    found = re.search(r'<div class="errors form-errors" role="alert" id="form-errors">(.*?)</div>', page, re.S)
    assert found, "no error summary at the top of the form"
    return found.group(1)


def test_the_household_and_member_edit_forms_summarise_their_errors(world, client):
    client.force_login(world.village_clerk)
    page = client.post(reverse("registry:household_edit", args=[world.home.code]),
                       _household_post_data(world.home, wage_income="很多")).content.decode()
    assert 'href="#id_wage_income">工资性收入</a>' in _summary(page)
    member = world.home.members.get(relation="之女")
    page = client.post(reverse("registry:member_edit", args=[world.home.code, member.pk]),
                       _member_post_data(member, migrant_months=15)).content.decode()
    assert 'href="#id_migrant_months">' in _summary(page)


def test_the_workflow_forms_summarise_their_errors(world, client, settings):
    settings.JINGZHUN_INDICATOR_AUTO_REFRESH = False
    client.force_login(world.village_clerk)
    household, members = candidate()
    data = {"year": "2018", "head_name": "", "members-TOTAL_FORMS": "1", "members-INITIAL_FORMS": "0",
            "members-MIN_NUM_FORMS": "1", "members-MAX_NUM_FORMS": "20", "members-0-name": "孙有田",
            "members-0-id_number": "123", "members-0-medical_insurance": "true"}
    summary = _summary(client.post(reverse("workflows:entry_new"), data).content.decode())
    assert 'href="#id_head_name">户主姓名</a>' in summary and 'href="#id_members-0-id_number">成员 1 · 身份证号</a>' in summary
    # the removal form: the service's refusal at the top
    poor = make_household(XIAGAOCHI, 2, "钱进财", status="未脱贫")
    summary = _summary(client.post(reverse("workflows:removal_new", args=[poor.code]), {"year": "2020"}).content.decode())
    assert "请选择清退原因类别" in summary
    # acting on a step: the page again with the error at the top of the step's form
    p = services.entry_open(acting_user=world.village_clerk, village_code=XIAGAOCHI, household=household,
                            members=members, year=2018)
    response = client.post(reverse("workflows:procedure_act", args=[p.pk]), {"step": "group_review", "decision": "reject"})
    assert response.status_code == 200 and "不通过时请写明理由" in _summary(response.content.decode())


def test_the_other_apps_forms_summarise_their_errors(world, client):
    records = records_build(world)
    client.force_login(world.village_clerk)
    page = client.post(reverse("exchange:import_start"),
                       {"files": SimpleUploadedFile("户表.txt", b"x", content_type="text/plain")}).content.decode()
    assert _summary(page)
    problem = records.open_problem[world.home.code]
    page = client.post(reverse("checks:problem_exception", args=[problem.pk]), {"reason": "短"}).content.decode()
    assert "请写明情况属实的理由" in _summary(page)
    page = client.post(reverse("accounts:password_change"), {"old_password": "wrong", "new_password1": "a",
                                                             "new_password2": "b"}).content.decode()
    assert 'href="#id_old_password">' in _summary(page)
    client.force_login(world.county_admin)
    page = client.post(reverse("compare:home"), {"kind": "death"}).content.decode()
    assert 'href="#id_files">' in _summary(page)
