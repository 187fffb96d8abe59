"""人员变更 at 乡镇审批: the approver sees what changes, field by field, and what it does to the income
figures, and confirms the declared 年人均纯收入 in the same step (issue 13, defects 4 and 5)."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from jingzhun.checks.services import check_run_execute
from jingzhun.registry.models import Household
from jingzhun.workflows import services
from jingzhun.workflows.definitions import Kind
from jingzhun.workflows.models import LedgerEvent, Procedure
from jingzhun.workflows.services import WorkflowError

from .people import XIAGAOCHI, id_number

BABY_ID = id_number("140826", "20240101", 55)


@pytest.fixture(autouse=True)
def _no_indicator_refresh(settings):
    settings.JINGZHUN_INDICATOR_AUTO_REFRESH = False


def _baby() -> dict:
    return {"name": "王小宝", "id_number": BABY_ID, "relation": "之孙子", "sex": "男", "ethnicity": "汉族",
            "education": "学龄前儿童", "schooling": "", "health": "健康", "labour": "无劳动力", "migrant_work": "",
            "migrant_months": None, "medical_insurance": True, "serious_illness_insurance": None,
            "pension_insurance": None, "dibao": None, "tekun": None, "active_soldier": None}


def _declared(household: Household, amount: str) -> Household:
    """The home household (net income 16,000 for 2 people) with a declared figure that matches today."""
    household.declared_per_capita_income = Decimal(amount)
    household.save()  # with its history row, as an import would write it
    return household


def _birth(world) -> Procedure:
    return services.procedure_open(acting_user=world.village_clerk, kind=Kind.MEMBER_CHANGE,
                                   household_code=world.home.code, note="新生儿", data={"change": "birth",
                                                                                        "member": _baby()})


def _cell_texts(page: str, table_id: str) -> list[list[str]]:
    body = re.search(rf'<table class="grid" id="{table_id}">(.*?)</table>', page, re.S).group(1)
    return [[re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
            for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S) if "<td" in row]


# --- defect 4: the change, field by field --------------------------------------------------------------------

@pytest.mark.django_db
def test_the_approval_page_shows_the_change_type_and_every_field_old_to_new(world, client):
    p = _birth(world)
    client.force_login(world.township_officer)
    page = client.get(reverse("workflows:procedure_detail", args=[p.pk])).content.decode()
    assert re.search(r'id="change-type">出生：王小宝<', page)
    rows = {label: (old, new) for label, old, new in _cell_texts(page, "change-rows")}
    assert rows["姓名"] == ("—", "王小宝") and rows["与户主关系"] == ("—", "之孙子")
    assert rows["性别"] == ("—", "男") and rows["文化程度"] == ("—", "学龄前儿童")
    assert rows["城乡居民基本医疗保险"] == ("—", "是") and rows["人员状态"] == ("—", "正常")
    assert rows["身份证号"] == ("—", BABY_ID)  # the township officer keeps the records: in full
    # no declared figure to confirm: none is asked for, and none is made up by the approval
    assert 'name="declared_per_capita_income"' not in page
    # a read-only role sees the ID number masked, as everywhere else
    client.force_login(world.evaluator)
    page = client.get(reverse("workflows:procedure_detail", args=[p.pk])).content.decode()
    rows = {label: (old, new) for label, old, new in _cell_texts(page, "change-rows")}
    assert rows["身份证号"] == ("—", BABY_ID[:6] + "********" + BABY_ID[-4:]) and BABY_ID not in page
    services.procedure_act(acting_user=world.township_officer, procedure_id=p.pk, step="township_approval",
                           approve=True)
    assert Household.objects.get(pk=world.home.pk).declared_per_capita_income is None


@pytest.mark.django_db
def test_a_member_taken_out_shows_who_and_the_status_they_get(world, client):
    daughter = world.home.members.get(relation="之女")
    p = services.procedure_open(acting_user=world.village_clerk, kind=Kind.MEMBER_CHANGE,
                                household_code=world.home.code, data={"change": "death", "member_id": daughter.pk})
    client.force_login(world.township_officer)
    page = client.get(reverse("workflows:procedure_detail", args=[p.pk])).content.decode()
    assert re.search(r'id="change-type">死亡：王小红<', page)
    rows = {label: (old, new) for label, old, new in _cell_texts(page, "change-rows")}
    assert rows["姓名"] == ("王小红", "王小红") and rows["与户主关系"] == ("之女", "之女")
    assert rows["人员状态"] == ("正常", "死亡")


# --- defect 5: the income figures, and the declared one confirmed in the same step ---------------------------

@pytest.mark.django_db
def test_the_page_says_what_a_birth_does_to_the_income_figures(world, client):
    _declared(world.home, "8000.00")
    p = _birth(world)
    client.force_login(world.township_officer)
    page = client.get(reverse("workflows:procedure_detail", args=[p.pk])).content.decode()
    rows = {r[0]: tuple(r[1:]) for r in _cell_texts(page, "income-impact")}
    assert rows["家庭人口（正常）"] == ("2", "3")
    assert rows["年人均纯收入（按公式，元）"] == ("8000.00", "5333.33")
    assert rows["申报年人均纯收入（元）"] == ("8000.00", "审批时确认")
    # the approval form asks for the declared figure, filled in with the one the formula gives
    assert re.search(r'name="declared_per_capita_income" value="5333.33"', page)


@pytest.mark.django_db
def test_approving_a_birth_without_the_declared_figure_is_refused_and_changes_nothing(world, client):
    home = _declared(world.home, "8000.00")
    p = _birth(world)
    client.force_login(world.township_officer)
    response = client.post(reverse("workflows:procedure_act", args=[p.pk]),
                           {"step": "township_approval", "decision": "approve", "declared_per_capita_income": ""})
    page = response.content.decode()
    assert response.status_code == 200 and 'id="form-errors"' in page
    assert "请确认或更正申报年人均纯收入" in page and "5333.33" in page
    assert not home.members.filter(id_number=BABY_ID).exists()
    assert Procedure.objects.get(pk=p.pk).step == "township_approval"
    with pytest.raises(WorkflowError, match="相差超过 1 元"):  # the old figure would be flagged by Q23
        services.procedure_act(acting_user=world.township_officer, procedure_id=p.pk, step="township_approval",
                               approve=True, data={"declared_per_capita_income": Decimal("8000.00")})
    assert Household.objects.get(pk=home.pk).declared_per_capita_income == Decimal("8000.00")


@pytest.mark.django_db
def test_the_approval_writes_the_member_and_the_declared_figure_with_history(world, client):
    home = _declared(world.home, "8000.00")
    p = _birth(world)
    client.force_login(world.township_officer)
    response = client.post(reverse("workflows:procedure_act", args=[p.pk]),
                           {"step": "township_approval", "decision": "approve", "note": "核实属实",
                            "declared_per_capita_income": "5333.33"})
    assert response.status_code == 302
    home.refresh_from_db()
    assert home.declared_per_capita_income == Decimal("5333.33")
    assert home.members.filter(id_number=BABY_ID, status="正常").exists()
    latest = home.history.first()
    assert latest.history_user == world.township_officer and latest.history_change_reason == f"人员变更（程序 {p.pk}）"
    assert latest.prev_record.declared_per_capita_income == Decimal("8000.00")
    approval = Procedure.objects.get(pk=p.pk).records.get(decision="approved")
    assert approval.data["declared_after"] == "5333.33"
    assert approval.data["income"]["members_before"] == 2 and approval.data["income"]["per_capita_after"] == "5333.33"
    assert LedgerEvent.objects.get(procedure=p).detail == "出生：王小宝"
    # once done, the page shows what was recorded at the approval
    page = client.get(reverse("workflows:procedure_detail", args=[p.pk])).content.decode()
    rows = {r[0]: tuple(r[1:]) for r in _cell_texts(page, "income-impact")}
    assert rows["申报年人均纯收入（元）"] == ("8000.00", "5333.33")


@pytest.mark.django_db
def test_an_exited_household_falling_under_the_line_is_warned_before_approval(world, client):
    Household.objects.filter(pk=world.home.pk).update(wage_income=Decimal("4000"))  # net 8,000 for 2 → 3 people
    p = _birth(world)
    client.force_login(world.township_officer)
    page = client.get(reverse("workflows:procedure_detail", args=[p.pk])).content.decode()
    assert 'id="below-line"' in page and "变更后年人均纯收入 2666.67 元，低于 2020 年贫困线" in page


@pytest.mark.django_db(transaction=True)
def test_after_an_approved_birth_the_next_check_finds_no_income_mismatch(world):
    home = _declared(world.home, "8000.00")
    p = _birth(world)
    services.procedure_act(acting_user=world.township_officer, procedure_id=p.pk, step="township_approval",
                           approve=True, data={"declared_per_capita_income": Decimal("5333.33")})
    _run, findings = check_run_execute(org=XIAGAOCHI, as_of=datetime.date(2026, 6, 30), rule_codes=["Q23", "Q26"])
    assert [f for f in findings.to_pylist() if f["household"] == home.code] == []
