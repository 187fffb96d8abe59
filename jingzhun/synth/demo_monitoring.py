"""防止返贫监测 in the demo county, made through the services like the rest of the demo's work.

After `demo_work.demo_work_load` the county has its 监测户 (drawn by the generator) but no lead and no
monitoring procedure. This module adds, in 下高池村 and its county, what a county has under way on any day:

=====================  ==================================================================  ==============
who waits              what                                                                how it came
=====================  ==================================================================  ==============
village clerk          a lead of 村级排查 (a 已脱贫 household, 因病) waiting for 入户核实         the clerk, now
village clerk          a farmer's own report (一码申报) from a person not in the registry      the public page
county admin           a 医保 alert (个人自付 above the pack's amount) on a registered member   a department file
county admin           识别纳入 of a 已脱贫 household at 信息比对, opened from a lead verified 纳入  the clerk
village clerk          风险消除 of a 监测户 纳入 eight months ago (its 识别纳入 from 入户核实 to    补录 + now
                       县级审定 entered as past work), incomes verified monthly since
=====================  ==================================================================  ==============

Past work is entered as 补录 (`workflows.clock.recorded_as_of`): each step on the day the story dates it, so
the date rules hold (a 公示 runs its days before it is closed); income verifications carry their own day.
Everything else happens now. Nothing here is fixed in advance beyond the choice of households, which follows the
generated registry (the first that qualify, by 户编号), so the same seed gives the same demo.
"""

from __future__ import annotations

import datetime
import tempfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.core.files.base import ContentFile
from django.utils import timezone

from jingzhun.accounts.models import User
from jingzhun.alerts.kinds import ALERT_KINDS
from jingzhun.alerts.services import alert_batch_load
from jingzhun.monitoring.models import Lead
from jingzhun.monitoring.services import lead_create, lead_report_public, lead_verify
from jingzhun.monitoring.vocab import Channel, Result, RiskType
from jingzhun.orgunits.models import OrgUnit
from jingzhun.registry import vocab
from jingzhun.registry.models import Household
from jingzhun.workflows import clock, publicity, services
from jingzhun.workflows.common import WorkflowError
from jingzhun.workflows.definitions import Kind
from jingzhun.workflows.models import Procedure
from jingzhun.workflows.monitoring_procedures import (
    income_verification_record,
    monitoring_entry_open,
    risk_elimination_open,
)

from .demo import DEMO_COUNTY, DEMO_VILLAGE, id_number_of


@dataclass(frozen=True)
class DemoMonitoring:
    """What demo_monitoring_load made: leads waiting, monitoring procedures open, alert hits."""

    leads: int
    procedures: int
    alert_hits: int


def _consent_form() -> ContentFile:
    """The signed 《监测对象申请及承诺授权查询书》 as the demo's stand-in scan (a one-page PDF saying so)."""
    from reportlab.pdfgen import canvas

    path = Path(tempfile.mkdtemp(prefix="jz-demo-")) / "consent.pdf"
    page = canvas.Canvas(str(path))
    page.drawString(72, 760, "Demo data: signed consent and authorisation form (synthetic, no real person).")
    page.save()
    return ContentFile(path.read_bytes(), name="承诺授权查询书（演示）.pdf")


def _candidates(county: str):
    """已脱贫 建档立卡 households of the demo village with no open procedure and no open problem, by 户编号."""
    return (Household.objects.filter(village_id=DEMO_VILLAGE, category=vocab.HouseholdCategory.EXITED,
                                     status=vocab.PovertyStatus.EXITED)
            .exclude(procedures__state=Procedure.State.OPEN)
            .exclude(code__in=_flagged()).order_by("code"))


def _flagged():
    from jingzhun.checks.models import Problem

    return Problem.objects.filter(village=DEMO_VILLAGE).values("household")


def demo_monitoring_load(*, day: datetime.date, county: str = DEMO_COUNTY) -> DemoMonitoring | None:
    """Make the demo's monitoring work (see the module's table), unless the county already has leads (a second
    `jingzhun demo`: then None). Needs the demo users and `demo_work_load` run first."""
    if Lead.objects.filter(village__code__startswith=county).exists():
        return None
    people = {u.username: u for u in User.objects.filter(username__in=("village", "county"))}
    clerk, county_admin = people["village"], people["county"]
    people.update({u.username: u for u in User.objects.filter(username="township")})
    households = list(_candidates(county)[:4])
    if len(households) < 4:
        return DemoMonitoring(leads=0, procedures=0, alert_hits=0)
    screened, included, alerted, recovered = households

    # 村级排查: the clerk records what a routine visit found
    lead_create(channel=Channel.VILLAGE_CHECK, village=DEMO_VILLAGE, risk_type=RiskType.ILLNESS,
                household=screened, acting_user=clerk,
                description="入户走访发现户主今年两次住院，自付医疗费用较多，家庭收入明显下降。")

    # 一码申报: a farmer who is not in the registry reports through the public page
    village = OrgUnit.objects.get(code=DEMO_VILLAGE)
    lead_report_public(county=village.parent.parent, village_code=DEMO_VILLAGE, risk_type=RiskType.DISASTER,
                       name="卫春生", phone="13835900000",
                       id_number=id_number_of("140826", datetime.date(1968, 4, 2), 977),
                       description="今年七月暴雨冲毁了自家两亩果园和圈舍，一家四口收入没了着落。", client_ip=None)

    # 识别纳入 from a lead verified 纳入: the clerk verified it and opened 入户核实; the county compares next
    lead = lead_create(channel=Channel.VILLAGE_CHECK, village=DEMO_VILLAGE, risk_type=RiskType.FAILED_PROJECT,
                       household=included, acting_user=clerk,
                       description="养殖场因疫病全部扑杀，贷款尚未还清。")
    lead_verify(lead_id=lead.pk, result=Result.INCLUDE, acting_user=clerk, reason="入户核实：收入低于监测范围")
    monitoring_entry_open(acting_user=clerk, household_code=included.code, monitoring_class="脱贫不稳定户",
                          risk_types=["因产业项目失败"], income_12m=Decimal("9600"),
                          compliant_out_of_pocket_12m=Decimal("1200"), evidence=_consent_form(),
                          lead_id=lead.pk, lead_reported_on=day, note="户主本人申请并签署承诺授权书")

    hits = _medical_alert(alerted, county_admin, day)
    _past_inclusion(recovered, clerk=clerk, township=people["township"], county_admin=county_admin, day=day)
    _risk_elimination(clerk, recovered, day)
    return DemoMonitoring(
        leads=Lead.objects.filter(village__code__startswith=county, status=Lead.Status.PENDING).count(),
        procedures=Procedure.objects.filter(village__code__startswith=county, state=Procedure.State.OPEN,
                                            kind__in=(Kind.MONITORING_ENTRY, Kind.RISK_ELIMINATION)).count(),
        alert_hits=hits,
    )


def _medical_alert(household: Household, county_admin: User, day: datetime.date) -> int:
    """The 医保 bureau's monthly file: one inpatient stay of the household's head, above the pack's amount."""
    head = household.members.filter(relation=vocab.Relation.HEAD).first()
    if head is None:
        return 0
    kind = ALERT_KINDS["medical"]
    folder = Path(tempfile.mkdtemp(prefix="jz-demo-alert-"))
    path = folder / f"{kind.label}.csv"
    admitted, discharged = day - datetime.timedelta(days=40), day - datetime.timedelta(days=28)
    rows = [["姓名", "身份证号", "性别", "村代码", "就诊类别", "就诊日期", "出院日期", "医疗总费用", "个人自付"],
            [head.name, head.id_number, head.sex, DEMO_VILLAGE, "住院", f"{admitted:%Y-%m-%d}",
             f"{discharged:%Y-%m-%d}", "58000", "14600"]]
    path.write_text("\n".join(",".join(r) for r in rows) + "\n", encoding="utf-8")
    report = alert_batch_load(kind=kind, paths=[path], acting_user=county_admin, source="县医疗保障局",
                              data_date=day - datetime.timedelta(days=1), via="演示数据")
    return report.batch.counts.get("hits", 0) if report.ok else 0


def _past_inclusion(household: Household, *, clerk: User, township: User, county_admin: User,
                    day: datetime.date) -> None:
    """识别纳入 eight months before D, entered as past work: 入户核实 D−240, 信息比对 D−238, 评议 D−236, 村级公示
    from D−235 closed D−225, 乡镇审核 D−224, 县级审定 D−222 (the household is 纳入 that day)."""
    opened: dict[str, Procedure] = {}

    def on(offset: int, minute: int = 0):
        return clock.recorded_as_of(timezone.make_aware(
            datetime.datetime.combine(day + datetime.timedelta(days=offset), datetime.time(9))
            + datetime.timedelta(minutes=minute)))

    def act(user, step, **data):
        services.procedure_act(acting_user=user, procedure_id=opened["p"].pk, step=step, approve=True,
                               note=data.pop("note", ""), data=data)

    with on(-240):
        opened["p"] = monitoring_entry_open(
            acting_user=clerk, household_code=household.code, monitoring_class="脱贫不稳定户", risk_types=["因病"],
            income_12m=Decimal(5200) * max(1, household.members.filter(status=vocab.MemberStatus.NORMAL).count()),
            compliant_out_of_pocket_12m=Decimal("6800"), evidence=_consent_form(),
            note="户主确诊慢性肾病，长期透析，本人申请")
    with on(-238):
        act(county_admin, "comparison", comparison="车辆、房产、工商、财政供养均无比中")
    with on(-236):
        act(clerk, "village_review", note="村民代表评议同意纳入")
    with on(-235):
        batch = publicity.batch_open(acting_user=clerk, kind=Kind.MONITORING_ENTRY, step="village_publicity",
                                     procedure_ids=[opened["p"].pk], start=day - datetime.timedelta(days=235))
    with on(-225):
        publicity.batch_close(acting_user=clerk, batch_id=batch.pk)
    with on(-224):
        act(township, "township_review", note="审核通过")
    with on(-222):
        act(county_admin, "county_decision", note="县级审定纳入监测")


def _risk_elimination(clerk: User, household: Household, day: datetime.date) -> None:
    """Seven monthly income verifications since the household was 纳入, each well above the line, then 风险消除
    opened now; a household whose other criteria fail is left monitored (the service says why), as it would be."""
    household.refresh_from_db()
    persons = household.members.filter(status=vocab.MemberStatus.NORMAL).count() or 1
    for months_ago in range(7, 0, -1):
        income = Decimal(16000 + 300 * (7 - months_ago)) * persons
        income_verification_record(acting_user=clerk, household_code=household.code,
                                   verified_on=day - datetime.timedelta(days=30 * months_ago),
                                   income_12m=income, compliant_out_of_pocket_12m=Decimal(800) * persons,
                                   note="帮扶责任人入户核实收入")
    try:
        risk_elimination_open(acting_user=clerk, household_code=household.code,
                              note="收入持续稳定超过监测范围，两不愁三保障和饮水安全均有保障")
    except WorkflowError:
        pass
