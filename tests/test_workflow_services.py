"""The procedures end to end by role, and every way a step may not be taken."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from jingzhun.accounts.models import Role
from jingzhun.accounts.services import user_create
from jingzhun.orgunits.models import OrgUnit
from jingzhun.registry.models import Household, Member
from jingzhun.workflows import publicity, services
from jingzhun.workflows.definitions import Kind
from jingzhun.workflows.models import LedgerEvent, Objection, Procedure, StepRecord
from jingzhun.workflows.services import WorkflowError

from .people import CHENGNEI, PASSWORD, XIAGAOCHI, id_number, make_household
from .workflow_helpers import candidate, entry_to_announcement, exit_to_announcement, past, period_ran, publish_and_run

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_indicator_refresh(settings):
    settings.JINGZHUN_INDICATOR_AUTO_REFRESH = False


@pytest.fixture
def poor(world) -> Household:
    """A 未脱贫 household of 下高池村 whose data pass every exit criterion (8,000 yuan a head in 2020)."""
    return make_household(XIAGAOCHI, 2, "钱进财", status="未脱贫")


def _clerk_of(code: str, name: str):
    return user_create(username=name, password=PASSWORD, role=Role.VILLAGE_CLERK,
                       org_unit=OrgUnit.objects.get(code=code), full_name=name, check_password=False)


# --- 精准识别 -------------------------------------------------------------------------------------------

def test_entry_walks_every_step_and_ends_in_the_registry_with_its_year(world):
    procedure = entry_to_announcement(world, year=2018)
    assert procedure.state == Procedure.State.DONE
    household = procedure.household
    assert household.code.startswith(XIAGAOCHI) and household.code != world.home.code
    assert (household.status, household.identified_year, household.head_name) == ("未脱贫", 2018, "孙有田")
    assert household.members.count() == 3
    assert household.history.first().history_user == world.county_admin
    steps = list(procedure.records.filter(decision__in=["applied", "approved"]).values_list("step", flat=True))
    assert steps == ["application", "group_review", "village_review", "village_publicity", "township_review",
                     "township_publicity", "comparison", "county_announcement"]
    actors = {r.step: r.actor.username for r in procedure.records.filter(decision="approved")}
    assert actors["group_review"] == "village_clerk" and actors["township_review"] == "township_officer"
    assert actors["county_announcement"] == "county_admin"
    event = LedgerEvent.objects.get(procedure=procedure)
    assert (event.type, event.persons, event.household, event.source) == ("new", 3, household.code, "workflow")


def test_entry_step_cannot_be_skipped(world):
    household, members = candidate()
    p = services.entry_open(acting_user=world.village_clerk, village_code=XIAGAOCHI, household=household,
                            members=members, year=2018)
    with pytest.raises(WorkflowError, match="当前步骤是“村民小组评议”"):
        services.procedure_act(acting_user=world.village_clerk, procedure_id=p.pk, step="village_review",
                               approve=True)
    with pytest.raises(WorkflowError, match="不在“村内公示”待公示状态"):
        publicity.batch_open(acting_user=world.village_clerk, kind=Kind.ENTRY, step="village_publicity",
                             procedure_ids=[p.pk], start=timezone.localdate())
    p.refresh_from_db()
    assert p.step == "group_review" and p.records.count() == 1


def test_entry_step_by_the_wrong_role_is_refused_and_changes_nothing(world):
    household, members = candidate()
    p = services.entry_open(acting_user=world.village_clerk, village_code=XIAGAOCHI, household=household,
                            members=members, year=2018)
    with pytest.raises(PermissionDenied, match="应由村级信息员办理"):
        services.procedure_act(acting_user=world.township_officer, procedure_id=p.pk, step="group_review",
                               approve=True)
    with pytest.raises(PermissionDenied, match="应由村级信息员办理"):
        services.entry_open(acting_user=world.county_admin, village_code=XIAGAOCHI, household=household,
                            members=members)
    p.refresh_from_db()
    assert p.step == "group_review" and p.records.count() == 1


def test_entry_outside_scope_looks_absent_and_read_only_roles_are_refused(world):
    household, members = candidate()
    p = services.entry_open(acting_user=world.village_clerk, village_code=XIAGAOCHI, household=household,
                            members=members, year=2018)
    other_clerk = _clerk_of(CHENGNEI, "chengnei_clerk")
    with pytest.raises(Http404):
        services.procedure_act(acting_user=other_clerk, procedure_id=p.pk, step="group_review", approve=True)
    with pytest.raises(Http404):
        services.procedure_act(acting_user=world.outsider, procedure_id=p.pk, step="group_review", approve=True)
    with pytest.raises(PermissionDenied):
        services.procedure_act(acting_user=world.evaluator, procedure_id=p.pk, step="group_review", approve=True)
    with pytest.raises(Http404):
        services.entry_open(acting_user=other_clerk, village_code=XIAGAOCHI, household=household, members=members)
    assert Procedure.objects.get(pk=p.pk).step == "group_review"


def test_entry_rejection_ends_it_with_the_reason(world):
    household, members = candidate()
    p = services.entry_open(acting_user=world.village_clerk, village_code=XIAGAOCHI, household=household,
                            members=members, year=2018)
    with pytest.raises(WorkflowError, match="请写明理由"):
        services.procedure_act(acting_user=world.village_clerk, procedure_id=p.pk, step="group_review",
                               approve=False)
    services.procedure_act(acting_user=world.village_clerk, procedure_id=p.pk, step="group_review", approve=False,
                           note="家有轿车，收入明显高于标准")
    p.refresh_from_db()
    assert p.state == Procedure.State.REJECTED and "家有轿车" in p.reason
    assert not LedgerEvent.objects.exists()
    with pytest.raises(WorkflowError, match="已终止"):
        services.procedure_act(acting_user=world.village_clerk, procedure_id=p.pk, step="village_review",
                               approve=True)


def test_entry_refuses_a_person_already_registered(world):
    household, members = candidate()
    members[1]["id_number"] = world.home.members.get(relation="之女").id_number
    with pytest.raises(WorkflowError, match="已在建档立卡户中登记"):
        services.entry_open(acting_user=world.village_clerk, village_code=XIAGAOCHI, household=household,
                            members=members)
    assert not Procedure.objects.exists()


def test_entry_needs_exactly_one_head_matching_the_household(world):
    household, members = candidate()
    members[0]["relation"] = "配偶"
    with pytest.raises(WorkflowError, match="有且只有一名“户主”"):
        services.entry_open(acting_user=world.village_clerk, village_code=XIAGAOCHI, household=household,
                            members=members)


# --- 公示 and objections --------------------------------------------------------------------------------

def _at_village_publicity(world) -> Procedure:
    household, members = candidate()
    p = services.entry_open(acting_user=world.village_clerk, village_code=XIAGAOCHI, household=household,
                            members=members, year=2018)
    for step in ("group_review", "village_review"):
        services.procedure_act(acting_user=world.village_clerk, procedure_id=p.pk, step=step, approve=True)
    return p


def test_publicity_lasts_the_packs_seven_days_and_cannot_end_early(world):
    p = _at_village_publicity(world)
    batch = publicity.batch_open(acting_user=world.village_clerk, kind=Kind.ENTRY, step="village_publicity",
                                 procedure_ids=[p.pk], start=timezone.localdate())
    assert batch.end - batch.start == datetime.timedelta(days=6)
    with pytest.raises(WorkflowError, match="公示期满日为 .*，届时才能确认公示期满"):
        publicity.batch_close(acting_user=world.village_clerk, batch_id=batch.pk)
    assert Procedure.objects.get(pk=p.pk).step == "village_publicity"


def test_objection_blocks_the_next_step_until_resolved(world):
    p = _at_village_publicity(world)
    batch = publicity.batch_open(acting_user=world.village_clerk, kind=Kind.ENTRY, step="village_publicity",
                                 procedure_ids=[p.pk], start=timezone.localdate())
    period_ran(batch)  # now from 8 to 1 days ago
    with pytest.raises(WorkflowError, match="公示期内"):
        publicity.objection_record(acting_user=world.village_clerk, batch_id=batch.pk, procedure_id=p.pk,
                                   received_on=past(8), content="早于公示")
    objection = publicity.objection_record(acting_user=world.village_clerk, batch_id=batch.pk, procedure_id=p.pk,
                                           received_on=past(5), content="该户儿子在县城有商品房")
    with pytest.raises(WorkflowError, match="未处理的公示异议.*孙有田"):
        publicity.batch_close(acting_user=world.village_clerk, batch_id=batch.pk)
    publicity.objection_resolve(acting_user=world.village_clerk, objection_id=objection.pk, upheld=False,
                                note="经核实房产登记在已分户的儿子名下")
    publicity.batch_close(acting_user=world.village_clerk, batch_id=batch.pk)
    p.refresh_from_db()
    assert p.step == "township_review"
    assert Objection.objects.get(pk=objection.pk).resolution == "dismissed"


def test_upheld_objection_ends_the_procedure(world):
    p = _at_village_publicity(world)
    batch = publicity.batch_open(acting_user=world.village_clerk, kind=Kind.ENTRY, step="village_publicity",
                                 procedure_ids=[p.pk], start=timezone.localdate())
    period_ran(batch)
    objection = publicity.objection_record(acting_user=world.village_clerk, batch_id=batch.pk, procedure_id=p.pk,
                                           received_on=past(5), content="家有小轿车")
    publicity.objection_resolve(acting_user=world.village_clerk, objection_id=objection.pk, upheld=True,
                                note="核实属实，车辆价值 8 万元")
    publicity.batch_close(acting_user=world.village_clerk, batch_id=batch.pk)
    p.refresh_from_db()
    assert p.state == Procedure.State.REJECTED and "异议成立" in p.reason


def test_publicity_start_more_than_thirty_days_ahead_is_refused(world):
    p = _at_village_publicity(world)
    with pytest.raises(WorkflowError, match="不能晚于.*发布后 30 天内"):
        publicity.batch_open(acting_user=world.village_clerk, kind=Kind.ENTRY, step="village_publicity",
                             procedure_ids=[p.pk], start=timezone.localdate() + datetime.timedelta(days=31))
    assert Procedure.objects.get(pk=p.pk).batch_id is None


# --- 户退出 ---------------------------------------------------------------------------------------------

def test_exit_walks_to_announcement_and_marks_the_household_exited(world, poor):
    p = exit_to_announcement(world, poor, year=2020)
    assert p.state == Procedure.State.DONE
    poor.refresh_from_db()
    assert (poor.status, poor.exit_year) == ("已脱贫", 2020)
    event = LedgerEvent.objects.get(procedure=p)
    assert (event.type, event.persons) == ("exit", 2)
    statuses = {c["key"]: c["status"] for c in p.payload["criteria"]}
    assert statuses == {"income": "pass", "food_clothing": "pass", "education": "pass", "medical": "pass",
                        "housing": "pass", "water": "pass"}


def test_exit_shows_each_criterion_with_its_data(world, poor):
    p = services.procedure_open(acting_user=world.village_clerk, kind=Kind.EXIT, household_code=poor.code, year=2020)
    criteria = {c["key"]: c for c in p.payload["criteria"]}
    assert "8,000.00" in criteria["income"]["data"] and "4,000.00" in criteria["income"]["data"]
    assert criteria["food_clothing"]["status"] == "pending"
    assert "B级" in criteria["housing"]["data"]


def test_failed_exit_criterion_blocks_the_exit(world, poor):
    Member.objects.filter(household=poor, relation="之女").update(medical_insurance=False)
    p = services.procedure_open(acting_user=world.village_clerk, kind=Kind.EXIT, household_code=poor.code, year=2020)
    assert {c["key"]: c["status"] for c in p.payload["criteria"]}["medical"] == "fail"
    with pytest.raises(WorkflowError, match="基本医疗有保障"):
        services.procedure_act(acting_user=world.village_clerk, procedure_id=p.pk, step="village_review",
                               approve=True)
    p.refresh_from_db()
    assert p.step == "village_review"


def test_unsafe_housing_and_a_dropout_fail_their_criteria(world, poor):
    poor.housing_grade = "C"
    poor.save()
    Member.objects.create(household=poor, name="钱小宝", id_number=id_number("140826", "20150601", 41),
                          relation="之孙子", sex="男", health="健康", labour="无劳动力", schooling="非在校生",
                          medical_insurance=True)
    p = services.procedure_open(acting_user=world.village_clerk, kind=Kind.EXIT, household_code=poor.code, year=2020)
    criteria = {c["key"]: c for c in p.payload["criteria"]}
    assert criteria["housing"]["status"] == "fail"
    assert criteria["education"]["status"] == "fail" and "钱小宝" in criteria["education"]["data"]


def test_county_admin_override_is_recorded_and_lets_the_exit_go_on(world, poor):
    Member.objects.filter(household=poor, relation="之女").update(medical_insurance=False)
    p = services.procedure_open(acting_user=world.village_clerk, kind=Kind.EXIT, household_code=poor.code, year=2020)
    with pytest.raises(PermissionDenied, match="只有县级管理员"):
        services.exit_override(acting_user=world.township_officer, procedure_id=p.pk, reason="理由" * 10)
    with pytest.raises(WorkflowError, match="至少 10 个字"):
        services.exit_override(acting_user=world.county_admin, procedure_id=p.pk, reason="同意")
    reason = "该成员已在外省参加职工医保，参保凭证已核验，按规定视同有保障"
    services.exit_override(acting_user=world.county_admin, procedure_id=p.pk, reason=reason)
    p.refresh_from_db()
    assert p.override_reason == reason and p.override_criteria == ["medical"] and p.override_by == world.county_admin
    record = p.records.get(decision=StepRecord.Decision.OVERRIDE)
    assert record.note == reason and record.data["criteria"][0]["key"] == "medical"
    done = exit_to_announcement_from(world, p)
    assert done.state == Procedure.State.DONE and LedgerEvent.objects.filter(procedure=done).count() == 1


def exit_to_announcement_from(world, p: Procedure) -> Procedure:
    for step, data in (("village_review", {}), ("team_verification", {"food_clothing": True}),
                       ("household_consent", {})):
        services.procedure_act(acting_user=world.village_clerk, procedure_id=p.pk, step=step, approve=True,
                               note="同意", data=data)
    publish_and_run(world.village_clerk, p, "village_publicity", Kind.EXIT)
    publicity.batch_open(acting_user=world.township_officer, kind=Kind.EXIT, step="announcement",
                         procedure_ids=[p.pk], start=timezone.localdate())
    p.refresh_from_db()
    return p


def test_food_and_clothing_no_at_verification_blocks(world, poor):
    p = services.procedure_open(acting_user=world.village_clerk, kind=Kind.EXIT, household_code=poor.code, year=2020)
    services.procedure_act(acting_user=world.village_clerk, procedure_id=p.pk, step="village_review", approve=True)
    with pytest.raises(WorkflowError, match="两不愁"):
        services.procedure_act(acting_user=world.village_clerk, procedure_id=p.pk, step="team_verification",
                               approve=True, data={"food_clothing": False})
    with pytest.raises(WorkflowError, match="请填写核实结果"):
        services.procedure_act(acting_user=world.village_clerk, procedure_id=p.pk, step="team_verification",
                               approve=True)


def test_household_refusing_ends_the_exit(world, poor):
    p = services.procedure_open(acting_user=world.village_clerk, kind=Kind.EXIT, household_code=poor.code, year=2020)
    services.procedure_act(acting_user=world.village_clerk, procedure_id=p.pk, step="village_review", approve=True)
    services.procedure_act(acting_user=world.village_clerk, procedure_id=p.pk, step="team_verification",
                           approve=True, data={"food_clothing": True})
    services.procedure_act(acting_user=world.village_clerk, procedure_id=p.pk, step="household_consent",
                           approve=False, note="户主认为收入不稳定")
    p.refresh_from_db()
    assert p.state == Procedure.State.REJECTED and p.reason.startswith("农户不同意退出")
    assert Household.objects.get(pk=poor.pk).status == "未脱贫"


def test_exit_of_a_household_already_exited_is_refused(world):
    with pytest.raises(WorkflowError, match="不能办理“户退出”"):
        services.procedure_open(acting_user=world.village_clerk, kind=Kind.EXIT, household_code=world.home.code)


def test_only_one_open_procedure_per_household(world, poor):
    services.procedure_open(acting_user=world.village_clerk, kind=Kind.EXIT, household_code=poor.code, year=2020)
    with pytest.raises(WorkflowError, match="已有办理中的“户退出”程序"):
        services.procedure_open(acting_user=world.village_clerk, kind=Kind.REMOVAL, household_code=poor.code,
                                note="重复", data={"reason_category": "重复识别"})


def test_household_outside_scope_cannot_be_opened(world):
    with pytest.raises(Http404):
        services.procedure_open(acting_user=world.village_clerk, kind=Kind.RETURN,
                                household_code=world.neighbour.code, note="突发大病")


# --- 返贫, 清退, 人员变更 -------------------------------------------------------------------------------------

def test_return_needs_township_approval(world):
    p = services.procedure_open(acting_user=world.village_clerk, kind=Kind.RETURN, household_code=world.home.code,
                                note="户主突发脑梗，医疗支出 6 万元")
    with pytest.raises(PermissionDenied, match="应由乡镇扶贫专干办理"):
        services.procedure_act(acting_user=world.village_clerk, procedure_id=p.pk, step="township_approval",
                               approve=True)
    services.procedure_act(acting_user=world.township_officer, procedure_id=p.pk, step="township_approval",
                           approve=True, note="核实属实")
    assert Household.objects.get(pk=world.home.pk).status == "返贫"
    assert LedgerEvent.objects.get(procedure=p).type == "return"


def test_removal_keeps_its_reason_category(world, poor):
    with pytest.raises(WorkflowError, match="清退原因类别"):
        services.procedure_open(acting_user=world.village_clerk, kind=Kind.REMOVAL, household_code=poor.code,
                                note="比对发现")
    p = services.procedure_open(acting_user=world.village_clerk, kind=Kind.REMOVAL, household_code=poor.code,
                                note="比对发现户主之女为财政供养人员", data={"reason_category": "财政供养人员"})
    services.procedure_act(acting_user=world.township_officer, procedure_id=p.pk, step="township_approval",
                           approve=True)
    event = LedgerEvent.objects.get(procedure=p)
    assert (event.type, event.persons, event.detail) == ("removal", 2, "财政供养人员")
    assert Household.objects.get(pk=poor.pk).status == "清退"


def test_member_change_birth_adds_a_member_and_counts_one_person_time(world):
    baby = {"name": "王小宝", "id_number": id_number("140826", "20240101", 55), "relation": "之孙子", "sex": "男",
            "ethnicity": "汉族", "education": "学龄前儿童", "schooling": "", "health": "健康", "labour": "无劳动力",
            "migrant_work": "", "migrant_months": None, "medical_insurance": True, "serious_illness_insurance": None,
            "pension_insurance": None, "dibao": None, "tekun": None, "active_soldier": None}
    p = services.procedure_open(acting_user=world.village_clerk, kind=Kind.MEMBER_CHANGE,
                                household_code=world.home.code, note="出生", data={"change": "birth", "member": baby})
    services.procedure_act(acting_user=world.township_officer, procedure_id=p.pk, step="township_approval",
                           approve=True)
    assert world.home.members.filter(name="王小宝", status="正常").exists()
    event = LedgerEvent.objects.get(procedure=p)
    assert (event.type, event.persons, event.change) == ("natural", 1, "birth")


def test_member_change_death_marks_the_member(world):
    daughter = world.home.members.get(relation="之女")
    with pytest.raises(WorkflowError, match="户主不能直接减员"):
        services.procedure_open(acting_user=world.village_clerk, kind=Kind.MEMBER_CHANGE,
                                household_code=world.home.code,
                                data={"change": "death", "member_id": world.home.members.get(relation="户主").pk})
    p = services.procedure_open(acting_user=world.village_clerk, kind=Kind.MEMBER_CHANGE,
                                household_code=world.home.code, data={"change": "marriage_out", "member_id": daughter.pk})
    services.procedure_act(acting_user=world.township_officer, procedure_id=p.pk, step="township_approval",
                           approve=True)
    daughter.refresh_from_db()
    assert daughter.status == "迁出"
    assert LedgerEvent.objects.get(procedure=p).detail == "婚出：王小红"


def test_member_change_of_another_households_member_is_refused(world):
    stranger = world.neighbour.members.first()
    with pytest.raises(WorkflowError, match="本户一名"):
        services.procedure_open(acting_user=world.village_clerk, kind=Kind.MEMBER_CHANGE,
                                household_code=world.home.code, data={"change": "death", "member_id": stranger.pk})


def test_completed_procedure_queues_an_indicator_refresh(world, settings, django_capture_on_commit_callbacks):
    from jingzhun.indicators.models import IndicatorRefresh

    settings.JINGZHUN_INDICATOR_AUTO_REFRESH = True
    p = services.procedure_open(acting_user=world.village_clerk, kind=Kind.RETURN, household_code=world.home.code,
                                note="因灾返贫")
    assert not IndicatorRefresh.objects.exists()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.procedure_act(acting_user=world.township_officer, procedure_id=p.pk, step="township_approval",
                               approve=True)
    assert IndicatorRefresh.objects.filter(triggered_by=world.township_officer).count() == 1
    assert len(callbacks) == 1


def test_comparison_step_uses_the_departments_data_under_the_packs_thresholds(world, client):
    import datetime as dt

    from django.urls import reverse

    from jingzhun.compare.models import Batch, ExternalRecord

    household, members = candidate()
    p = services.entry_open(acting_user=world.village_clerk, village_code=XIAGAOCHI, household=household,
                            members=members, year=2018)
    Procedure.objects.filter(pk=p.pk).update(step="comparison")
    batch = Batch.objects.create(kind="vehicle", source="公安交管", data_date=dt.date(2018, 6, 1), rows=2)
    son = members[2]
    ExternalRecord.objects.create(batch=batch, row=2, name=son["name"], id_number=son["id_number"],
                                  extra={"号牌号码": "晋M12345", "车辆类型": "小型轿车", "购置价格": 86000})
    ExternalRecord.objects.create(batch=batch, row=3, name=members[1]["name"], id_number=members[1]["id_number"],
                                  extra={"号牌号码": "晋M54321", "车辆类型": "小型轿车", "购置价格": 20000})  # under ¥30,000
    assert client.login(username="county_admin", password=PASSWORD)
    page = client.get(reverse("workflows:procedure_detail", args=[p.pk])).content.decode()
    assert "机动车登记" in page and "晋M12345" in page and "晋M54321" not in page
    services.procedure_act(acting_user=world.county_admin, procedure_id=p.pk, step="comparison", approve=False,
                           note="其子名下有价值 8.6 万元的小型轿车", data={"comparison": "比中车辆 1 辆"})
    record = Procedure.objects.get(pk=p.pk).records.get(step="comparison")
    assert len(record.data["findings"]) == 1 and "晋M12345" in record.data["findings"][0]["message"]
    assert Procedure.objects.get(pk=p.pk).state == Procedure.State.REJECTED


def test_exit_steps_refuse_the_wrong_role_a_skip_and_a_stranger(world, poor):
    p = services.procedure_open(acting_user=world.village_clerk, kind=Kind.EXIT, household_code=poor.code, year=2020)
    with pytest.raises(PermissionDenied, match="应由村级信息员办理"):
        services.procedure_act(acting_user=world.township_officer, procedure_id=p.pk, step="village_review",
                               approve=True)
    with pytest.raises(WorkflowError, match="当前步骤是“村两委评议”"):
        services.procedure_act(acting_user=world.village_clerk, procedure_id=p.pk, step="household_consent",
                               approve=True)
    with pytest.raises(WorkflowError, match="不在“乡镇审核公告”待公示状态"):
        publicity.batch_open(acting_user=world.township_officer, kind=Kind.EXIT, step="announcement",
                             procedure_ids=[p.pk], start=timezone.localdate())
    with pytest.raises(Http404):
        services.exit_override(acting_user=world.outsider, procedure_id=p.pk, reason="另一个县的管理员不能特批此户")
    with pytest.raises(PermissionDenied):
        services.procedure_act(acting_user=world.analyst, procedure_id=p.pk, step="village_review", approve=True)
    p.refresh_from_db()
    assert p.step == "village_review" and p.records.count() == 1


def test_township_officer_cannot_approve_in_another_township(world):
    p = services.procedure_open(acting_user=_clerk_of("140826101201", "hengdong_clerk"), kind=Kind.REMOVAL,
                                household_code=world.other_township.code, note="重复识别",
                                data={"reason_category": "重复识别"})
    with pytest.raises(Http404):
        services.procedure_act(acting_user=world.township_officer, procedure_id=p.pk, step="township_approval",
                               approve=True)
    assert Household.objects.get(pk=world.other_township.pk).status == "未脱贫"


def test_kept_words_are_in_the_sites_language_whoever_acts(world, poor):
    from django.utils import translation

    with translation.override("en"):
        p = services.procedure_open(acting_user=world.village_clerk, kind=Kind.EXIT, household_code=poor.code,
                                    year=2020)
        with pytest.raises(PermissionDenied, match="is done by"):
            services.procedure_act(acting_user=world.township_officer, procedure_id=p.pk, step="village_review",
                                   approve=True)
        services.procedure_act(acting_user=world.village_clerk, procedure_id=p.pk, step="village_review",
                               approve=False, note="评议未通过")
    p.refresh_from_db()
    assert p.reason == "村两委评议未通过：评议未通过"
    assert p.payload["criteria"][0]["label"] == "收入稳定超过贫困线"
