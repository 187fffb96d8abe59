"""识别纳入 and 风险消除 end to end by role, their refusals, the time limit, the 绿色通道 and the ledger."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from jingzhun.orgunits.permissions import OutOfReach, Refused
from jingzhun.registry.models import Household, Member
from jingzhun.workflows import services
from jingzhun.workflows.definitions import Kind
from jingzhun.workflows.models import IncomeVerification, LedgerEvent, Procedure, StepRecord
from jingzhun.workflows.monitoring_procedures import (
    green_channel,
    income_verification_record,
    monitoring_entry_open,
    risk_elimination_open,
)
from jingzhun.workflows.services import WorkflowError

from .people import XIAGAOCHI, id_number
from .workflow_helpers import past, publish_and_run

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_indicator_refresh(settings):
    settings.JINGZHUN_INDICATOR_AUTO_REFRESH = False


def consent_form() -> SimpleUploadedFile:
    """The signed 《监测对象申请及承诺授权查询书》 (a scan)."""
    return SimpleUploadedFile("承诺授权查询书.pdf", b"%PDF-1.4 signed", content_type="application/pdf")


def ordinary(serial: int = 5, head: str = "周永安") -> Household:
    """A 一般农户 of 下高池村 (never 建档立卡): two members with labour."""
    head_id = id_number("140826", "19700808", 300 + serial)
    household = Household.objects.create(
        code=f"{XIAGAOCHI}{serial:04d}", village_id=XIAGAOCHI, head_name=head, head_id_number=head_id,
        category="一般农户", income_year=2025, wage_income=Decimal("20000"), business_income=Decimal("0"),
        property_income=Decimal("0"), transfer_income=Decimal("0"), business_expense=Decimal("0"),
        housing_grade="A", safe_water=True, phone="13800001111")
    Member.objects.create(household=household, name=head, id_number=head_id, relation="户主", sex="男",
                          ethnicity="汉族", education="初中", schooling="非在校生", health="患有大病",
                          labour="普通劳动力", medical_insurance=True)
    Member.objects.create(household=household, name=head[0] + "秀英", id_number=id_number("140826", "19720909", 400 + serial),
                          relation="配偶", sex="女", ethnicity="汉族", education="初中", schooling="非在校生",
                          health="健康", labour="普通劳动力", medical_insurance=True)
    return household


def open_entry(world, household, *, cls="边缘易致贫户", risks=("因病",), lead_day=None, income="9000", **extra):
    return monitoring_entry_open(acting_user=world.village_clerk, household_code=household.code,
                                 monitoring_class=cls, risk_types=list(risks), income_12m=income,
                                 compliant_out_of_pocket_12m="6000", evidence=consent_form(),
                                 lead_reported_on=lead_day, **extra)


def walk_entry(world, procedure):
    services.procedure_act(acting_user=world.county_admin, procedure_id=procedure.pk, step="comparison",
                           approve=True, data={"comparison": "车辆、房产、工商、财政供养均无比中"})
    services.procedure_act(acting_user=world.village_clerk, procedure_id=procedure.pk, step="village_review",
                           approve=True, note="村民代表评议同意")
    publish_and_run(world.village_clerk, procedure, "village_publicity", Kind.MONITORING_ENTRY)
    services.procedure_act(acting_user=world.township_officer, procedure_id=procedure.pk, step="township_review",
                           approve=True, note="审核通过")
    services.procedure_act(acting_user=world.county_admin, procedure_id=procedure.pk, step="county_decision",
                           approve=True, note="审定纳入")
    procedure.refresh_from_db()
    return procedure


# --- 识别纳入 ---------------------------------------------------------------------------------------------

def test_an_ordinary_household_walks_every_step_by_role_and_becomes_a_monitored_household(world):
    household = ordinary()
    procedure = walk_entry(world, open_entry(world, household, risks=("因病", "因务工就业不稳"), lead_id=42))
    assert procedure.state == Procedure.State.DONE
    household.refresh_from_db()
    assert (household.category, household.monitoring_class) == ("监测户", "边缘易致贫户")
    assert (household.risk_type, household.other_risk_1) == ("因病", "因务工就业不稳")
    assert household.monitoring_since == timezone.localdate()
    steps = list(procedure.records.filter(decision__in=["applied", "approved"]).values_list("step", "actor__username"))
    assert steps == [("home_verification", "village_clerk"), ("comparison", "county_admin"),
                     ("village_review", "village_clerk"), ("village_publicity", "village_clerk"),
                     ("township_review", "township_officer"), ("county_decision", "county_admin")]
    assert procedure.records.get(step="home_verification").evidence_name == "承诺授权查询书.pdf"
    assert procedure.payload["lead_id"] == 42
    event = LedgerEvent.objects.get(procedure=procedure)
    assert (event.type, event.persons, event.household) == ("monitored", 2, household.code)
    before = household.history.order_by("history_date")
    assert before.first().category == "一般农户" and before.last().history_user == world.county_admin
    # 入户核实 recorded the 12-month income as the first verification of the series
    verification = IncomeVerification.objects.get(household=household)
    assert (verification.income_12m, verification.persons, verification.procedure_id) == (Decimal("9000"), 2, procedure.pk)


def test_an_exited_household_is_proposed_as_unstable_and_keeps_its_registered_fields(world):
    procedure = walk_entry(world, open_entry(world, world.home, cls="脱贫不稳定户", risks=("因灾",)))
    home = Household.objects.get(pk=world.home.pk)
    assert (home.category, home.monitoring_class, home.status) == ("监测户", "脱贫不稳定户", "已脱贫")
    assert procedure.state == Procedure.State.DONE


def test_a_class_that_does_not_fit_the_category_is_refused(world):
    with pytest.raises(WorkflowError, match="只能拟纳入为"):
        open_entry(world, ordinary(), cls="脱贫不稳定户")
    assert not Procedure.objects.exists()


def test_an_already_monitored_household_whose_risk_is_not_eliminated_is_refused(world):
    household = ordinary()
    walk_entry(world, open_entry(world, household))
    with pytest.raises(WorkflowError, match="已是监测户.*风险尚未消除"):
        open_entry(world, household)


def test_the_signed_consent_form_is_required(world):
    with pytest.raises(WorkflowError, match="承诺授权查询书"):
        monitoring_entry_open(acting_user=world.village_clerk, household_code=ordinary().code,
                              monitoring_class="边缘易致贫户", risk_types=["因病"], income_12m="9000",
                              compliant_out_of_pocket_12m="0", evidence=None)
    assert not Procedure.objects.exists() and not IncomeVerification.objects.exists()


@pytest.mark.parametrize("field, value, words", [("risk_types", [], "至少选择一个风险类型"),
                                                  ("risk_types", ["因懒"], "不认识的风险类型"),
                                                  ("income_12m", "很多", "应为金额")])
def test_bad_input_is_refused_with_a_chinese_reason_and_nothing_written(world, field, value, words):
    arguments = {"acting_user": world.village_clerk, "household_code": ordinary().code,
                 "monitoring_class": "边缘易致贫户", "risk_types": ["因病"], "income_12m": "9000",
                 "compliant_out_of_pocket_12m": "0", "evidence": consent_form(), field: value}
    with pytest.raises(WorkflowError, match=words):
        monitoring_entry_open(**arguments)
    assert not Procedure.objects.exists()


def test_only_the_village_clerk_opens_and_only_in_reach(world):
    household = ordinary()
    with pytest.raises(Refused):
        monitoring_entry_open(acting_user=world.township_officer, household_code=household.code,
                              monitoring_class="边缘易致贫户", risk_types=["因病"], income_12m="1",
                              compliant_out_of_pocket_12m="0", evidence=consent_form())
    with pytest.raises(OutOfReach):
        open_entry(world, world.neighbour, cls="脱贫不稳定户")
    assert not Procedure.objects.exists()


def test_a_step_of_another_role_is_refused(world):
    procedure = open_entry(world, ordinary())
    with pytest.raises(Refused):
        services.procedure_act(acting_user=world.village_clerk, procedure_id=procedure.pk, step="comparison",
                               approve=True, data={"comparison": "无比中"})
    with pytest.raises(Refused):
        services.procedure_act(acting_user=world.township_officer, procedure_id=procedure.pk, step="comparison",
                               approve=True, data={"comparison": "无比中"})


def test_the_time_limit_runs_from_the_lead_and_an_overdue_procedure_is_flagged(world):
    on_time = open_entry(world, ordinary(5, "周永安"))
    late = open_entry(world, ordinary(6, "郑明"), lead_day=past(20))
    assert on_time.due == timezone.localdate() + datetime.timedelta(days=15)  # the pack's decide_days
    assert late.due == past(5)
    assert late.overdue and not on_time.overdue
    from jingzhun.desk.todo import board

    sections = {s.kind.code: s for s in board(world.county_admin)}
    steps = sections["steps"]
    assert steps.overdue == 2 - 1
    late_items = [i for i in steps.items if i.overdue]
    assert len(late_items) == 1 and "郑明" in late_items[0].title and late_items[0].due == past(5)


def test_a_lead_day_in_the_future_is_refused(world):
    with pytest.raises(WorkflowError, match="线索日期不能晚于今天"):
        open_entry(world, ordinary(), lead_day=timezone.localdate() + datetime.timedelta(days=1))


def test_green_channel_enters_a_sudden_hardship_household_at_once_and_the_steps_follow(world):
    household = ordinary()
    procedure = open_entry(world, household, cls="突发严重困难户", risks=("因意外事故",))
    green_channel(acting_user=world.county_admin, procedure_id=procedure.pk, reason="房屋火灾，全家无处居住，先行救助")
    household.refresh_from_db()
    assert (household.category, household.monitoring_class) == ("监测户", "突发严重困难户")
    event = LedgerEvent.objects.get(procedure=procedure)
    assert event.type == "monitored" and "绿色通道" in event.detail
    procedure.refresh_from_db()
    assert procedure.state == Procedure.State.OPEN and procedure.green_channel["reason"].startswith("房屋火灾")
    green = procedure.records.get(decision=StepRecord.Decision.GREEN_CHANNEL)
    assert (green.step, green.actor) == ("comparison", world.county_admin)
    walk_entry(world, procedure)
    assert procedure.state == Procedure.State.DONE
    assert LedgerEvent.objects.filter(household=household.code).count() == 1  # entered once, at the green channel
    assert household.history.filter(category="监测户").count() >= 1


def test_green_channel_is_the_countys_and_only_for_sudden_hardship(world):
    procedure = open_entry(world, ordinary(), cls="边缘易致贫户")
    with pytest.raises(Refused):
        green_channel(acting_user=world.village_clerk, procedure_id=procedure.pk, reason="先行救助先行救助先行救助")
    with pytest.raises(WorkflowError, match="只适用于突发严重困难户"):
        green_channel(acting_user=world.county_admin, procedure_id=procedure.pk, reason="先行救助先行救助先行救助")
    assert not LedgerEvent.objects.exists()


# --- 风险消除 ---------------------------------------------------------------------------------------------

def monitored(world, household=None, *, months_of_income=(7, 3, 0), income="30000", expenses="0"):
    """A 监测户 entered through 识别纳入, with verifications `months_of_income` months back (the 入户核实's
    own, today, at the same figures)."""
    household = household or ordinary()
    walk_entry(world, open_entry(world, household, income=income))
    for months in months_of_income:
        income_verification_record(acting_user=world.village_clerk, household_code=household.code,
                                   verified_on=timezone.localdate() - datetime.timedelta(days=31 * months),
                                   income_12m=income, compliant_out_of_pocket_12m=expenses)
    household.refresh_from_db()
    return household


def walk_elimination(world, procedure):
    services.procedure_act(acting_user=world.village_clerk, procedure_id=procedure.pk, step="village_review",
                           approve=True, note="评议同意")
    publish_and_run(world.village_clerk, procedure, "village_publicity", Kind.RISK_ELIMINATION)
    services.procedure_act(acting_user=world.township_officer, procedure_id=procedure.pk, step="township_review",
                           approve=True)
    services.procedure_act(acting_user=world.county_admin, procedure_id=procedure.pk, step="county_decision",
                           approve=True)
    procedure.refresh_from_db()
    return procedure


def test_risk_elimination_walks_every_step_by_role_and_marks_the_household(world):
    household = monitored(world)
    procedure = risk_elimination_open(acting_user=world.village_clerk, household_code=household.code)
    statuses = {c["key"]: c["status"] for c in procedure.payload["criteria"]}
    assert statuses == {"income_stable": "pass", "expenses": "pass", "education": "pass", "medical": "pass",
                        "housing": "pass", "water": "pass"}
    walk_elimination(world, procedure)
    assert procedure.state == Procedure.State.DONE
    household.refresh_from_db()
    assert household.risk_eliminated and household.risk_eliminated_on == timezone.localdate()
    assert household.category == "监测户"  # it stays a 监测户, its risk eliminated
    event = LedgerEvent.objects.get(procedure=procedure)
    assert event.type == "eliminated"
    actors = dict(procedure.records.filter(decision="approved").values_list("step", "actor__username"))
    assert actors == {"village_review": "village_clerk", "village_publicity": "village_clerk",
                      "township_review": "township_officer", "county_decision": "county_admin"}


def test_less_than_six_months_of_verifications_is_refused_saying_so(world):
    household = monitored(world, months_of_income=(3, 0))
    with pytest.raises(WorkflowError, match="收入稳定超过监测线.*不足 6 个月"):
        risk_elimination_open(acting_user=world.village_clerk, household_code=household.code)
    assert not Procedure.objects.filter(kind=Kind.RISK_ELIMINATION).exists()


def test_income_under_the_line_in_the_window_is_refused(world):
    household = monitored(world, income="10000")  # 5,000 a head, under the 6,000 line
    with pytest.raises(WorkflowError, match="未超过监测线 6,000.00 元"):
        risk_elimination_open(acting_user=world.village_clerk, household_code=household.code)


def test_large_rigid_expenses_not_resolved_are_refused(world):
    household = monitored(world, income="20000", expenses="12000")  # 4,000 a head after expenses
    with pytest.raises(WorkflowError, match="大额刚性支出已化解"):
        risk_elimination_open(acting_user=world.village_clerk, household_code=household.code)


def test_a_failing_criterion_later_stops_the_next_step(world):
    household = monitored(world)
    procedure = risk_elimination_open(acting_user=world.village_clerk, household_code=household.code)
    Household.objects.filter(pk=household.pk).update(safe_water=False)
    with pytest.raises(WorkflowError, match="饮水安全有保障"):
        services.procedure_act(acting_user=world.village_clerk, procedure_id=procedure.pk, step="village_review",
                               approve=True)
    procedure.refresh_from_db()
    assert procedure.step == "village_review"


def test_no_labour_and_covered_by_dibao_is_refused_and_stays_monitored(world):
    household = monitored(world)
    household.members.update(labour="丧失劳动力")
    household.members.filter(relation="户主").update(dibao=True)
    with pytest.raises(WorkflowError, match="无劳动能力.*低保或特困供养兜底"):
        risk_elimination_open(acting_user=world.village_clerk, household_code=household.code)
    household.refresh_from_db()
    assert household.category == "监测户" and not household.risk_eliminated


def test_risk_elimination_only_for_a_monitored_household_and_by_the_village_clerk(world):
    with pytest.raises(WorkflowError, match="只有监测户才能办理风险消除"):
        risk_elimination_open(acting_user=world.village_clerk, household_code=ordinary().code)
    household = monitored(world, ordinary(7, "吴有福"))
    with pytest.raises(Refused):
        risk_elimination_open(acting_user=world.township_officer, household_code=household.code)


def test_income_verifications_are_append_only_and_dated_no_later_than_today(world):
    household = ordinary()
    row = income_verification_record(acting_user=world.village_clerk, household_code=household.code,
                                     verified_on=timezone.localdate(), income_12m="12000",
                                     compliant_out_of_pocket_12m="0")
    with pytest.raises(ValueError):
        row.save()
    with pytest.raises(WorkflowError, match="核实日期不能晚于今天"):
        income_verification_record(acting_user=world.village_clerk, household_code=household.code,
                                   verified_on=timezone.localdate() + datetime.timedelta(days=1),
                                   income_12m="12000", compliant_out_of_pocket_12m="0")
    household.refresh_from_db()
    assert household.income_12m == Decimal("12000") and household.income_12m_verified_on == timezone.localdate()


# --- the ledger -----------------------------------------------------------------------------------------

def test_the_ledger_counts_both_new_types_by_period(world):
    from jingzhun.workflows.ledger import ledger_breakdown, ledger_text

    household = monitored(world)
    walk_elimination(world, risk_elimination_open(acting_user=world.village_clerk, household_code=household.code))
    today = timezone.localdate()
    total, units = ledger_breakdown(LedgerEvent.objects.all(), org="140826", start=today, end=today)
    assert (total.households("monitored"), total.persons("monitored")) == (1, 2)
    assert (total.households("eliminated"), total.persons("eliminated")) == (1, 2)
    assert "纳入监测 1 户 2 人" in ledger_text(total) and "风险消除 1 户 2 人" in ledger_text(total)
    earlier, _units = ledger_breakdown(LedgerEvent.objects.all(), org="140826", start=past(30), end=past(1))
    assert earlier.households("monitored") == 0


def test_jingzhun_changes_counts_the_monitoring_events_by_type_and_period(world, capsys):
    from jingzhun.cli import main as jingzhun

    household = monitored(world)
    walk_elimination(world, risk_elimination_open(acting_user=world.village_clerk, household_code=household.code))
    walk_entry(world, open_entry(world, ordinary(8, "冯长青")))
    today = timezone.localdate().isoformat()
    assert jingzhun(["changes", "--org", "140826", "--from", today, "--to", today]) == 0
    out = capsys.readouterr().out
    assert "纳入监测 2 户 4 人，风险消除 1 户 2 人" in out and "纳入监测 户/人" in out
    assert jingzhun(["changes", "--org", "140826", "--from", today, "--to", today, "--format", "json"]) == 0
    import json

    data = json.loads(capsys.readouterr().out)
    assert data["total"]["monitored"] == {"households": 2, "persons": 4}
    assert data["total"]["eliminated"] == {"households": 1, "persons": 2}
    yesterday = past(1).isoformat()
    assert jingzhun(["changes", "--org", "140826", "--from", yesterday, "--to", yesterday, "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["total"]["monitored"]["households"] == 0


def test_a_rejection_after_the_green_channel_is_recorded_and_the_inclusion_stands(world):
    household = ordinary()
    procedure = open_entry(world, household, cls="突发严重困难户", risks=("因灾",))
    green_channel(acting_user=world.county_admin, procedure_id=procedure.pk, reason="洪水冲毁住房，先行纳入救助")
    services.procedure_act(acting_user=world.county_admin, procedure_id=procedure.pk, step="comparison",
                           approve=False, note="比对发现家庭成员登记有公司")
    procedure.refresh_from_db()
    household.refresh_from_db()
    assert procedure.state == Procedure.State.REJECTED and "登记有公司" in procedure.reason
    assert household.category == "监测户"  # help given stays on record; the way back is a correction
    assert list(procedure.records.values_list("decision", flat=True)) == ["applied", "green", "rejected"]


def test_green_channel_twice_is_refused(world):
    procedure = open_entry(world, ordinary(), cls="突发严重困难户", risks=("因灾",))
    green_channel(acting_user=world.county_admin, procedure_id=procedure.pk, reason="洪水冲毁住房，先行纳入救助")
    with pytest.raises(WorkflowError, match="已于 .* 启用绿色通道"):
        green_channel(acting_user=world.county_admin, procedure_id=procedure.pk, reason="洪水冲毁住房，先行纳入救助")
    assert LedgerEvent.objects.count() == 1
