"""Work waiting in the demo county: something for every role's to-do list, made through the services.

After `demo.demo_registry_load` the county is clean but for the cases planted in 下高池村. This module
runs the checks once (the planted problems become 待整改), has the village clerk claim one of them
情况属实, and takes the procedures as far as the people would have by the reference day D:

==================  ==========================================================  =====================
who waits           what                                                        dated
==================  ==========================================================  =====================
township officer    精准识别 of 段志强 at 乡镇审核 (村内公示 D−24…D−18, closed D−17)  from D−28
county admin        精准识别 of 柴建民 at 部门比对 (乡镇公示 D−30…D−24, closed D−23)  from D−44
village clerk       精准识别 of 吉小红: 村内公示 D−12…D−6 over, waiting to be closed    from D−16
township officer    精准识别 of 李长青: 乡镇公示 D−5…D+1 running, one objection          from D−37
                    (received D−3) to resolve
township officer    人员变更 (出生) of a newborn, waiting for 乡镇审批                     D (now)
township officer    清退 of a 空挂户, waiting for 乡镇审批                                 D (now)
township officer    the 情况属实 claim on the planted Q09 problem                        D (now)
village clerk       the other planted problems (demo.PLANTED_RULES)                    D (now)
==================  ==========================================================  =====================

All candidate households and the other procedures are in 下高池村, the village of the demo clerk.
Neither 户退出 nor 清退 has a county step, so the county's step is the 部门比对 of an entry.

Dates. A 公示 must start no earlier than the step before it and can be closed only once its period has
run, so a procedure at 乡镇审核 has a history of weeks. The past steps are entered as a county enters
work done on paper (补录, `workflows.clock.recorded_as_of`): each step is recorded on the day the story
dates it and the services apply their date rules to that day, so every record is dated as if the people
had acted then and every date rule holds. The audit trail records when the demo really entered them.
What has no history — the registry itself, the check run, the claim, the member change and the
removal — happens now.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from jingzhun.accounts.models import User
from jingzhun.checks.models import CheckRun, Problem
from jingzhun.checks.services import check_run_execute, problem_claim_exception
from jingzhun.registry import vocab
from jingzhun.registry.models import Household, Member
from jingzhun.workflows import clock, publicity, services
from jingzhun.workflows.definitions import ChangeType, Kind, RemovalReason
from jingzhun.workflows.models import Objection, Procedure, PublicityBatch

from .demo import (DEMO_COUNTY, DEMO_VILLAGE, EXCEPTION_CASE, EXCEPTION_REASON, PLANTED_RULES, age_on, demo_as_of,
                   id_number_of)
from .generator import years_before


@dataclass(frozen=True)
class DemoWork:
    """What demo_work_load made: problems found, procedures open, 公示 batches and objections open."""

    problems: int
    procedures: int
    batches: int
    objections: int


def _on_day(day: datetime.date, minute: int):
    """Steps entered inside are recorded on `day` at 09:00 plus `minute` minutes (local time)."""
    return clock.recorded_as_of(timezone.make_aware(datetime.datetime.combine(day, datetime.time(9))
                                                    + datetime.timedelta(minutes=minute)))


def demo_work_load(*, as_of: datetime.date | None = None, county: str = DEMO_COUNTY) -> DemoWork | None:
    """Make the demo's waiting work (see the module's table), unless the county already has procedures or
    check runs (a second `jingzhun demo`: then None). Needs the demo users (demo.demo_users_reset)."""
    if (Procedure.objects.filter(village__code__startswith=county).exists()
            or CheckRun.objects.filter(org=county).exists()):
        return None
    day, _income_year = demo_as_of(as_of)
    people = {u.username: u for u in User.objects.filter(username__in=("village", "township", "county"))}
    village, township, county_admin = people["village"], people["township"], people["county"]

    _entries(day, village=village, township=township)
    check_run_execute(org=county, as_of=day, triggered_by=county_admin)
    claimed = Problem.objects.filter(village=DEMO_VILLAGE, rule=PLANTED_RULES[EXCEPTION_CASE][0]).first()
    if claimed is not None:
        problem_claim_exception(problem_id=claimed.pk, acting_user=village, reason=EXCEPTION_REASON)
    _member_change_and_removal(day, village=village)

    open_procedures = Procedure.objects.filter(village__code__startswith=county, state=Procedure.State.OPEN)
    return DemoWork(
        problems=Problem.objects.filter(village__startswith=county).count(),
        procedures=open_procedures.count(),
        batches=PublicityBatch.objects.filter(unit__code__startswith=county, closed_at__isnull=True).count(),
        objections=Objection.objects.filter(procedure__in=open_procedures, resolution="").count(),
    )


# --- 精准识别 ----------------------------------------------------------------------------------------

#: key: (主要致贫原因, (工资性, 生产经营性, 财产性, 转移性收入, 生产经营性支出) of the last full year,
#: members: (name, relation, sex, age at D, 文化程度, 在校生状况, 健康状况, 劳动技能)) — all under any line.
_FAMILIES = {
    "duan": ("因病", (9000, 3000, 0, 1200, 1000), [
        ("段志强", "户主", "男", 45, "初中", "非在校生", "健康", "普通劳动力"),
        ("王秀梅", "配偶", "女", 43, "小学", "非在校生", "长期慢性病", "丧失劳动力"),
        ("段浩然", "之子", "男", 14, "初中", "九年级", "健康", "无劳动力"),
        ("段雨欣", "之女", "女", 9, "小学", "小学", "健康", "无劳动力")]),
    "chai": ("因病", (0, 5200, 0, 3600, 1800), [
        ("柴建民", "户主", "男", 62, "小学", "非在校生", "患有大病", "丧失劳动力"),
        ("柴秀兰", "配偶", "女", 60, "小学", "非在校生", "健康", "普通劳动力")]),
    "ji": ("缺劳力", (8400, 0, 0, 2400, 0), [
        ("吉小红", "户主", "女", 38, "初中", "非在校生", "健康", "普通劳动力"),
        ("吉子涵", "之子", "男", 12, "初中", "七年级", "健康", "无劳动力"),
        ("吉悦", "之女", "女", 6, "小学", "小学", "健康", "无劳动力")]),
    "li": ("因残", (11000, 2000, 0, 1800, 800), [
        ("李长青", "户主", "男", 52, "初中", "非在校生", "健康", "普通劳动力"),
        ("张桂芳", "配偶", "女", 50, "小学", "非在校生", "残疾", "丧失劳动力"),
        ("李娜", "之女", "女", 20, "大专及以上", "大专及以上", "健康", "无劳动力")]),
}


def _free_id(born: datetime.date, male: bool, taken: set[str]) -> str:
    """A valid ID number of 绛县 for this birth date and sex that no member and no other candidate has."""
    prefix = f"{DEMO_COUNTY}{born:%Y%m%d}"
    taken |= set(Member.objects.filter(id_number__startswith=prefix).values_list("id_number", flat=True))
    for sequence in range(901 if male else 902, 1000, 2):
        number = id_number_of(DEMO_COUNTY, born, sequence)
        if number not in taken:
            taken.add(number)
            return number
    raise RuntimeError(f"no free ID number for {born}")  # pragma: no cover - 50 per day and sex


def _candidate(key: str, day: datetime.date, taken: set[str]) -> tuple[dict, list[dict]]:
    cause, (wage, business, prop, transfer, expense), people = _FAMILIES[key]
    members = []
    for index, (name, relation, sex, age, education, schooling, health, labour) in enumerate(people):
        born = years_before(day, age) - datetime.timedelta(days=40 + 37 * index)
        adult = age >= 16 and schooling == "非在校生"
        members.append({
            "name": name, "id_number": _free_id(born, sex == "男", taken), "relation": relation, "sex": sex,
            "ethnicity": "汉族", "education": education, "schooling": schooling, "health": health, "labour": labour,
            "migrant_work": "", "migrant_months": None, "medical_insurance": True, "serious_illness_insurance": True,
            "pension_insurance": True if adult else None, "dibao": False, "tekun": False, "active_soldier": False})
    head = members[0]
    household = {
        "head_name": head["name"], "head_id_number": head["id_number"], "standard": "国家标准",
        "attribute": "一般贫困户", "main_cause": cause, "other_cause_1": "", "other_cause_2": "",
        "income_year": day.year - 1, "wage_income": Decimal(wage), "business_income": Decimal(business),
        "property_income": Decimal(prop), "transfer_income": Decimal(transfer), "business_expense": Decimal(expense),
        "housing_area": Decimal(78), "housing_grade": "B", "safe_water": True, "electricity": True,
        "relocated": False, "phone": ""}
    return household, members


def _entries(day: datetime.date, *, village: User, township: User) -> None:
    """The four 精准识别, each step on the day the module's table gives (D = `day`)."""
    taken: set[str] = set()
    opened: dict[str, Procedure] = {}
    batches: dict[str, int] = {}

    def on(offset):
        return day + datetime.timedelta(days=offset)

    def apply(key, note):
        household, members = _candidate(key, day, taken)
        opened[key] = services.entry_open(acting_user=village, village_code=DEMO_VILLAGE, household=household,
                                          members=members, year=day.year, note=note)

    def act(key, user, step, note):
        services.procedure_act(acting_user=user, procedure_id=opened[key].pk, step=step, approve=True, note=note)

    def publish(key, user, step, start):
        batches[key] = publicity.batch_open(acting_user=user, kind=Kind.ENTRY, step=step,
                                            procedure_ids=[opened[key].pk], start=start).pk

    def close(key, user):
        publicity.batch_close(acting_user=user, batch_id=batches[key])

    # (offset from D, what happens) in the order of the days; the minute keeps the order within a day
    story = [
        (-44, lambda: apply("chai", "户主患大病（尿毒症），家庭收入低，本人申请")),
        (-43, lambda: act("chai", village, "group_review", "村民小组评议同意")),
        (-41, lambda: act("chai", village, "village_review", "村两委评议通过")),
        (-40, lambda: publish("chai", village, "village_publicity", on(-40))),
        (-37, lambda: apply("li", "妻子残疾，女儿上大学，本人申请")),
        (-36, lambda: act("li", village, "group_review", "村民小组评议同意")),
        (-34, lambda: act("li", village, "village_review", "村两委评议通过")),
        (-33, lambda: close("chai", village)),
        (-32, lambda: act("chai", township, "township_review", "入户核实，审核通过")),
        (-32, lambda: publish("li", village, "village_publicity", on(-32))),
        (-30, lambda: publish("chai", township, "township_publicity", on(-30))),
        (-28, lambda: apply("duan", "妻子长期患病，两个孩子上学，本人申请")),
        (-27, lambda: act("duan", village, "group_review", "村民小组评议同意")),
        (-25, lambda: close("li", village)),
        (-25, lambda: act("duan", village, "village_review", "村两委评议通过")),
        (-24, lambda: act("li", township, "township_review", "入户核实，审核通过")),
        (-24, lambda: publish("duan", village, "village_publicity", on(-24))),
        (-23, lambda: close("chai", township)),
        (-17, lambda: close("duan", village)),
        (-16, lambda: apply("ji", "丈夫去世，独自抚养两个孩子，本人申请")),
        (-15, lambda: act("ji", village, "group_review", "村民小组评议同意")),
        (-14, lambda: act("ji", village, "village_review", "村两委评议通过")),
        (-12, lambda: publish("ji", village, "village_publicity", on(-12))),
        (-5, lambda: publish("li", township, "township_publicity", on(-5))),
        (-3, lambda: publicity.objection_record(
            acting_user=township, batch_id=batches["li"], procedure_id=opened["li"].pk, received_on=on(-3),
            content="有群众反映该户长女在县城开办快递代收点，家庭收入可能超过标准。")),
    ]
    for minute, (offset, step) in enumerate(story):
        with _on_day(on(offset), minute):
            step()


# --- 人员变更 and 清退, opened today on registered households -------------------------------------------

def _member_change_and_removal(day: datetime.date, *, village: User) -> None:
    """A birth waiting for the township, and a removal of a 空挂户 — in households without planted problems."""
    flagged = Problem.objects.filter(village=DEMO_VILLAGE).values("household")
    households = list(Household.objects.filter(village_id=DEMO_VILLAGE, status=vocab.PovertyStatus.EXITED)
                      .exclude(code__in=flagged).exclude(procedures__state=Procedure.State.OPEN)
                      .prefetch_related("members").order_by("code"))
    birth = next(((h, p) for h in households for p in h.members.all()
                  if p.relation == vocab.Relation.SON and p.status == vocab.MemberStatus.NORMAL
                  and 20 <= age_on(p.id_number, day) <= 40), None)
    if birth is not None:
        household, father = birth
        born = day - datetime.timedelta(days=40)
        male = False
        newborn = {
            "name": father.name[0] + "若溪", "id_number": _free_id(born, male, set()),
            "relation": vocab.Relation.GRANDDAUGHTER, "sex": vocab.Sex.FEMALE, "ethnicity": "汉族",
            "education": vocab.Education.PRESCHOOL_CHILD, "schooling": "", "health": vocab.Health.HEALTHY,
            "labour": vocab.LabourAbility.NONE, "migrant_work": "", "migrant_months": None,
            "medical_insurance": True, "serious_illness_insurance": True, "pension_insurance": None,
            "dibao": False, "tekun": False, "active_soldier": False}
        services.procedure_open(acting_user=village, kind=Kind.MEMBER_CHANGE, household_code=household.code,
                                year=day.year, note=f"{father.name}之女出生，已办理出生登记和户口登记",
                                data={"change": ChangeType.BIRTH, "member": newborn})
    removal = next((h for h in households if birth is None or h.code != birth[0].code), None)
    if removal is not None:
        services.procedure_open(acting_user=village, kind=Kind.REMOVAL, household_code=removal.code, year=day.year,
                                note="全家自 2019 年起在太原市定居务工，户籍已迁出，本村无实际居住，属空挂户",
                                data={"reason_category": RemovalReason.ABSENT})

