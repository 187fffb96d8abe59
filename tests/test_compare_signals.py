"""Each kind's accepted matches become the right problem record (rule code, member, message), per policy."""

from __future__ import annotations

import pytest

from jingzhun.checks.models import Problem
from jingzhun.compare.kinds import KINDS
from jingzhun.compare.services import compare_run_execute, dataset_load
from jingzhun.registry.models import Member

from .test_compare_import import write_csv

#: kind → (row fields that raise the signal, row fields that must not, expected rule, words in the message)
CASES = {
    "death": ({"死亡日期": "2024-05-01"}, None, "BD01", "人员变更（死亡）"),
    "staff": ({"单位": "绛县教育局", "岗位": "教师"}, None, "BD02", "财政供养人员"),
    "cadre": ({"村代码": "140826100233", "职务": "村委会主任"}, None, "BD03", "村干部"),
    "vehicle": ({"号牌号码": "晋M12345", "车辆类型": "小型轿车", "购置价格": "86000"},
                {"号牌号码": "晋M54321", "车辆类型": "小型轿车", "购置价格": "30000"}, "BD04", "86000"),
    "company": ({"企业名称": "某某商贸有限公司", "角色": "股东"}, {"企业名称": "某某商贸有限公司", "角色": "监事"}, "BD05",
                "股东"),
    "property": ({"坐落": "新城小区3号楼", "房屋类型": "商铺"}, {"坐落": "下高池村", "房屋类型": "自建房"}, "BD06", "商铺"),
    "medical": ({"年度": "2024", "参保状态": "未参保"}, {"年度": "2024", "参保状态": "参保"}, "BD07", "基本医疗保险"),
    "pension": ({"年度": "2024", "参保状态": "停保"}, {"年度": "2024", "参保状态": "参保"}, "BD08", "基本养老保险"),
    "assistance": ({"类别": "特困"}, {"类别": "低保", "结束日期": "2020-12-31"}, "BD09", "特困"),
}


def _load_and_run(world, tmp_path, code, fields, member):
    path = tmp_path / f"{code}.csv"
    write_csv(path, [{"姓名": member.name, "身份证号": member.id_number, **fields}])
    assert dataset_load(kind=KINDS[code], paths=[path], acting_user=world.county_admin).ok
    return compare_run_execute(kind=KINDS[code], org="140826", acting_user=world.county_admin)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("code", list(CASES))
def test_each_signal_becomes_its_problem_record(code, world, tmp_path):
    fields, _quiet, rule, words = CASES[code]
    member = world.home.members.get(relation="户主")
    _load_and_run(world, tmp_path, code, fields, member)
    problem = Problem.objects.get(rule=rule)
    assert (problem.household, problem.person, problem.village) == (world.home.code, member.id_number,
                                                                    world.home.code[:12])
    assert words in problem.message and problem.status == Problem.Status.OPEN


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("code", [c for c, case in CASES.items() if case[1]])
def test_matches_under_the_policy_thresholds_raise_nothing(code, world, tmp_path):
    _fields, quiet, rule, _words = CASES[code]
    member = world.home.members.get(relation="户主")
    run = _load_and_run(world, tmp_path, code, quiet, member)
    assert run.counts["auto"] == 1
    assert not Problem.objects.filter(rule=rule).exists()


@pytest.mark.django_db(transaction=True)
def test_a_death_of_a_member_already_recorded_dead_raises_nothing(world, tmp_path):
    member = world.home.members.get(relation="户主")
    Member.objects.filter(pk=member.pk).update(status="死亡")
    _load_and_run(world, tmp_path, "death", {"死亡日期": "2024-05-01"}, member)
    assert not Problem.objects.filter(rule="BD01").exists()


@pytest.mark.django_db(transaction=True)
def test_signals_leave_the_checks_problems_alone_and_close_their_own_when_gone(world, tmp_path):
    from django.utils import timezone

    from jingzhun.checks.models import CheckRun

    now = timezone.now()
    check_run = CheckRun.objects.create(org="140826", as_of=now.date())
    member = world.home.members.get(relation="户主")
    Problem.objects.create(rule="Q03", household=world.home.code, person=member.id_number,
                           village=world.home.code[:12], message="x", first_run=check_run, last_run=check_run,
                           first_seen=now, last_seen=now)
    _load_and_run(world, tmp_path, "death", {"死亡日期": "2024-05-01"}, member)
    assert Problem.objects.get(rule="BD01").status == Problem.Status.OPEN
    Member.objects.filter(pk=member.pk).update(status="死亡")  # the 人员变更 was done
    compare_run_execute(kind=KINDS["death"], org="140826", acting_user=world.county_admin)
    assert Problem.objects.get(rule="BD01").status == Problem.Status.FIXED
    assert Problem.objects.get(rule="Q03").status == Problem.Status.OPEN


@pytest.mark.django_db(transaction=True)
def test_household_signals_list_a_households_comparison_problems_for_the_identification_step(world, tmp_path):
    from jingzhun.compare.selectors import household_signals

    member = world.home.members.get(relation="户主")
    _load_and_run(world, tmp_path, "staff", {"单位": "绛县教育局"}, member)
    assert [p.rule for p in household_signals(world.home.code)] == ["BD02"]
    assert not household_signals(world.neighbour.code).exists()
