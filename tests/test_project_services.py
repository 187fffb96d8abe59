"""项目库 services: entry, funds, the state path, progress and spending — who may, and what is refused."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from jingzhun.assistance.models import Project, ProjectEvent, ProjectFund, ProjectSpending
from jingzhun.assistance.services import projects as services
from jingzhun.assistance.services.projects import ProjectError
from jingzhun.orgunits.permissions import OutOfReach, Refused, may_manage_projects

from .people import CHENGNEI, HENGDONG, XIAGAOCHI, ZHANGGUO
from .project_helpers import make_project

pytestmark = pytest.mark.django_db


def _entry(**changes) -> dict:
    entry = {"county_code": "140826", "code": "2025-101", "name": "城内村道路硬化", "category": "infrastructure",
             "year": 2025, "villages": [CHENGNEI], "responsible_unit": "绛县交通运输局"}
    return {**entry, **changes}


def _counts() -> tuple[int, ...]:
    return (Project.objects.count(), ProjectEvent.objects.count(), ProjectFund.objects.count(),
            ProjectSpending.objects.count())


def test_county_admin_enters_a_project_with_its_first_event(world):
    project = services.project_create(acting_user=world.county_admin, beneficiaries=[world.neighbour.code], **_entry())
    assert project.state == "listed" and project.county_id == "140826" and project.created_by == world.county_admin
    assert list(project.villages.values_list("code", flat=True)) == [CHENGNEI]
    assert list(project.beneficiaries.values_list("code", flat=True)) == [world.neighbour.code]
    assert list(project.events.values_list("state", flat=True)) == ["listed"]


@pytest.mark.parametrize("person", ["village_clerk", "township_officer", "analyst", "evaluator", "cadre", "work_team"])
def test_only_county_roles_manage_projects(world, person):
    user = getattr(world, person)
    assert not may_manage_projects(user)
    with pytest.raises(Refused):
        services.project_create(acting_user=user, **_entry())
    assert Project.objects.count() == 0


def test_county_roles_may_manage(world):
    assert may_manage_projects(world.county_admin) and may_manage_projects(world.sysadmin)


def test_another_countys_admin_cannot_enter_or_touch_our_projects(world):
    with pytest.raises(OutOfReach):
        services.project_create(acting_user=world.outsider, **_entry())
    project = make_project(world)
    with pytest.raises(OutOfReach):
        services.project_advance(acting_user=world.outsider, project_id=project.pk, to_state="publicised")
    assert Project.objects.get(pk=project.pk).state == "listed"


def test_code_is_unique_within_a_county_only(world):
    services.project_create(acting_user=world.county_admin, **_entry())
    with pytest.raises(ProjectError, match="已有项目编号"):
        services.project_create(acting_user=world.county_admin, **_entry(name="另一个"))
    other = services.project_create(acting_user=world.sysadmin, **_entry(county_code="140829", villages=[ZHANGGUO]))
    assert other.code == "2025-101"


@pytest.mark.parametrize("changes, message", [
    ({"villages": [ZHANGGUO]}, "实施村须是本县的村"),
    ({"villages": ["140826100"]}, "实施村须是本县的村"),
    ({"name": " "}, "请填写项目名称"),
    ({"category": "nonsense"}, "请选择项目类别"),
    ({"year": 1990}, "年度应在"),
    ({"planned_start": datetime.date(2025, 5, 1), "planned_end": datetime.date(2025, 4, 1)}, "不能早于"),
    ({"contact_phone": "call me"}, "监督电话应为数字"),
])
def test_bad_entries_are_refused_and_write_nothing(world, changes, message):
    before = _counts()
    with pytest.raises(ProjectError, match=message):
        services.project_create(acting_user=world.county_admin, **_entry(**changes))
    assert _counts() == before


def test_beneficiaries_must_live_in_the_projects_villages_and_exist(world):
    with pytest.raises(ProjectError, match="受益户须在项目的实施村"):
        services.project_create(acting_user=world.county_admin, beneficiaries=[world.home.code], **_entry())
    with pytest.raises(ProjectError, match="没有这些户编号"):
        services.project_create(acting_user=world.county_admin, beneficiaries=[world.other_county.code], **_entry())
    assert Project.objects.count() == 0


def test_states_advance_one_step_at_a_time_with_an_event_each(world):
    project = make_project(world)
    for state in ("publicised", "underway", "completed", "accepted"):
        services.project_advance(acting_user=world.county_admin, project_id=project.pk, to_state=state, note=state)
    project.refresh_from_db()
    assert project.state == "accepted" and project.percent_complete == 100
    assert list(project.events.values_list("state", flat=True)) == [
        "listed", "publicised", "underway", "completed", "accepted"]


@pytest.mark.parametrize("start, to", [("listed", "underway"), ("listed", "completed"), ("publicised", "accepted"),
                                       ("underway", "listed"), ("completed", "cancelled"), ("accepted", "completed")])
def test_skipping_or_going_back_is_refused(world, start, to):
    project = make_project(world, state=start)
    events = project.events.count()
    with pytest.raises(ProjectError, match="不能改为"):
        services.project_advance(acting_user=world.county_admin, project_id=project.pk, to_state=to, note="理由")
    project.refresh_from_db()
    assert project.state == start and project.events.count() == events


def test_termination_before_completion_needs_a_reason(world):
    project = make_project(world, state="underway")
    with pytest.raises(ProjectError, match="请填写说明"):
        services.project_advance(acting_user=world.county_admin, project_id=project.pk, to_state="cancelled")
    services.project_advance(acting_user=world.county_admin, project_id=project.pk, to_state="cancelled",
                             note="选址不符合规划")
    assert Project.objects.get(pk=project.pk).state == "cancelled"
    assert project.events.last().note == "选址不符合规划"


def test_a_project_without_funds_or_villages_cannot_be_publicised(world):
    project = make_project(world, funds={})
    with pytest.raises(ProjectError, match="资金计划"):
        services.project_advance(acting_user=world.county_admin, project_id=project.pk, to_state="publicised")
    bare = services.project_create(acting_user=world.county_admin, **_entry(villages=[]))
    services.project_fund_set(acting_user=world.county_admin, project_id=bare.pk, amounts={"central": "1"})
    with pytest.raises(ProjectError, match="实施村"):
        services.project_advance(acting_user=world.county_admin, project_id=bare.pk, to_state="publicised")


def test_funds_are_set_per_source_and_zero_removes_a_plan(world):
    project = make_project(world, funds={"central": Decimal("500000"), "other": Decimal("1000")})
    services.project_fund_set(acting_user=world.county_admin, project_id=project.pk,
                              amounts={"central": "600000.50", "other": "0", "city": ""})
    assert dict(project.funds.values_list("source", "amount")) == {"central": Decimal("600000.50")}
    assert project.funds.get().history.count() == 2  # created, then changed


@pytest.mark.parametrize("amounts, message", [({"central": "-1"}, "不小于 0"), ({"central": "abc"}, "应为金额"),
                                              ({"central": "1.234"}, "两位小数"), ({"bank": "1"}, "不认识的资金来源")])
def test_bad_fund_amounts_change_nothing(world, amounts, message):
    project = make_project(world)
    before = dict(project.funds.values_list("source", "amount"))
    with pytest.raises(ProjectError, match=message):
        services.project_fund_set(acting_user=world.county_admin, project_id=project.pk,
                                  amounts={"county": "1", **amounts})
    assert dict(project.funds.values_list("source", "amount")) == before


def test_spending_never_exceeds_the_plan_of_its_source(world):
    project = make_project(world, state="underway", funds={"central": Decimal("1000"), "county": Decimal("500")})
    day = datetime.date(2025, 6, 1)
    services.spending_record(acting_user=world.county_admin, project_id=project.pk, source="central", paid_on=day,
                             amount="600")
    with pytest.raises(ProjectError, match="最多还能支出 400.00 元"):
        services.spending_record(acting_user=world.county_admin, project_id=project.pk, source="central",
                                 paid_on=day, amount="400.01")
    with pytest.raises(ProjectError, match="最多还能支出 0.00 元"):
        services.spending_record(acting_user=world.county_admin, project_id=project.pk, source="province",
                                 paid_on=day, amount="1")
    services.spending_record(acting_user=world.county_admin, project_id=project.pk, source="central", paid_on=day,
                             amount="400")  # exactly the plan
    assert sum(project.spending.values_list("amount", flat=True)) == Decimal("1000")


def test_a_plan_cannot_drop_below_what_was_paid(world):
    project = make_project(world, state="underway", funds={"central": Decimal("1000")})
    services.spending_record(acting_user=world.county_admin, project_id=project.pk, source="central",
                             paid_on=datetime.date(2025, 6, 1), amount="800")
    with pytest.raises(ProjectError, match="不能少于已支出金额"):
        services.project_fund_set(acting_user=world.county_admin, project_id=project.pk, amounts={"central": "799"})
    assert project.funds.get().amount == Decimal("1000")


@pytest.mark.parametrize("state, amount, paid_on, message", [
    ("publicised", "1", datetime.date(2025, 6, 1), "开始实施后"),
    ("underway", "0", datetime.date(2025, 6, 1), "应大于 0"),
    ("underway", "1", None, "请填写支出日期"),
    ("underway", "1", "tomorrow", "不能晚于今天"),
])
def test_bad_spending_is_refused(world, state, amount, paid_on, message):
    project = make_project(world, state=state)
    if paid_on == "tomorrow":
        paid_on = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(ProjectError, match=message):
        services.spending_record(acting_user=world.county_admin, project_id=project.pk, source="central",
                                 paid_on=paid_on, amount=amount)
    assert not project.spending.exists()


def test_progress_is_reported_while_underway_only(world):
    project = make_project(world, state="underway")
    services.project_progress(acting_user=world.county_admin, project_id=project.pk, percent=45)
    assert Project.objects.get(pk=project.pk).percent_complete == 45
    with pytest.raises(ProjectError, match="0 到 100"):
        services.project_progress(acting_user=world.county_admin, project_id=project.pk, percent=101)
    listed = make_project(world, code="2025-002")
    with pytest.raises(ProjectError, match="实施中"):
        services.project_progress(acting_user=world.county_admin, project_id=listed.pk, percent=10)


def test_update_changes_the_entry_until_completion_and_keeps_history(world):
    project = make_project(world, state="underway")
    services.project_update(acting_user=world.county_admin, project_id=project.pk, code=project.code, name="新名字",
                            category="industry", year=2025, villages=[XIAGAOCHI, HENGDONG],
                            responsible_unit="绛县农业农村局", beneficiaries=[world.home.code,
                                                                         world.other_township.code])
    project.refresh_from_db()
    assert project.name == "新名字" and project.history.count() >= 2
    assert set(project.beneficiaries.values_list("code", flat=True)) == {world.home.code, world.other_township.code}
    services.project_advance(acting_user=world.county_admin, project_id=project.pk, to_state="completed")
    with pytest.raises(ProjectError, match="不能再修改"):
        services.project_update(acting_user=world.county_admin, project_id=project.pk, code=project.code, name="再改",
                                category="industry", year=2025, responsible_unit="x")
    with pytest.raises(ProjectError, match="不能再修改资金计划"):
        services.project_fund_set(acting_user=world.county_admin, project_id=project.pk, amounts={"city": "5"})
