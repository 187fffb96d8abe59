"""防止返贫致贫监测 procedures on the workflow engine: 识别纳入 (a household becomes a 监测户) and 风险消除.

识别纳入 opens at 入户核实 on a registered household of any 户类别 (a 脱贫户 or a 一般农户; a 监测户 whose
risk is not eliminated is refused), with the signed 《监测对象申请及承诺授权查询书》 as required evidence;
its 办结时限 runs from the lead's day (or the opening) for the pack's `monitoring.limits.decide_days`.
The lead itself belongs to the monitoring app, a sibling layer this app does not import: its id rides
in the payload (`lead_id`) and the monitoring side links the lead to the procedure.

绿色通道 (突发严重困难户): the county enters the household at once, with a reason (help first); the
procedure stays open and every remaining step is still taken and recorded. The record shows it three
ways: a StepRecord of decision 绿色通道先行纳入 at the step the procedure was on, `payload["green_channel"]`
(reason, who, day) shown on the procedure page, and the ledger event (纳入监测) dated that day with
"绿色通道" in its detail; the last step (县级审定) then confirms the 纳入 without writing it again.

风险消除 is evaluated criterion by criterion (evaluation.risk_elimination_criteria) at the opening and
again at every step; a household without labour capacity whose living is covered by 低保/特困 is refused
and stays monitored.
"""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from jingzhun.accounts.models import Role
from jingzhun.orgunits.access import access_for
from jingzhun.orgunits.permissions import get_in_reach, may_act, may_green_channel, may_write, require
from jingzhun.policy import PolicyPackError, policy_pack_for
from jingzhun.registry import vocab
from jingzhun.registry.models import Household

from . import clock
from .common import WorkflowError, locked_procedure, policy_failure, record, require_role, site_language
from .definitions import Kind, steps_of
from .evaluation import FAIL, NO_DATA, risk_elimination_criteria
from .models import IncomeVerification, LedgerEvent, Procedure, StepRecord

def proposable(household: Household) -> tuple[str, ...]:
    """The 监测对象类别 a household may be proposed as: a 建档立卡 household (a 脱贫户, or a 监测户 whose risk
    was eliminated and that keeps its 建档立卡 fields) as 脱贫不稳定户, any other (a 一般农户) as 边缘易致贫户;
    突发严重困难户 either way (registry.vocab: REGISTERED_CLASSES, UNREGISTERED_CLASSES)."""
    if household.status:
        return (vocab.MonitoringClass.UNSTABLE, vocab.MonitoringClass.SUDDEN)
    return (vocab.MonitoringClass.MARGINAL, vocab.MonitoringClass.SUDDEN)


#: 劳动技能 that count as labour capacity.
LABOUR = (vocab.LabourAbility.ORDINARY, vocab.LabourAbility.SKILLED)


def _money(value: Any, label: str) -> Decimal:
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError, TypeError):
        raise WorkflowError(_("%(what)s应为金额（元）。") % {"what": label}) from None
    if not amount.is_finite() or abs(amount) >= Decimal("1e10"):
        raise WorkflowError(_("%(what)s应为金额（元）。") % {"what": label})
    return amount


def _opener_refusal(user, household: Household, kind: str) -> str | None:
    first = steps_of(kind)[0]
    access = access_for(user)
    if not (may_write(access) and may_act(access, first)):
        return _("“%(kind)s”由%(role)s发起。") % {"kind": Kind(kind).label, "role": Role(first.role).label}
    current = household.procedures.filter(state=Procedure.State.OPEN).first()
    if current is not None:
        return _("该户已有办理中的“%(kind)s”程序，办结后才能发起新的程序。") % {"kind": current.get_kind_display()}
    return None


def monitoring_entry_refusal(user, household: Household) -> str | None:
    """Why 识别纳入 cannot be opened on `household` by `user` now; None when it can."""
    refusal = _opener_refusal(user, household, Kind.MONITORING_ENTRY)
    if refusal:
        return refusal
    if household.category == vocab.HouseholdCategory.MONITORED and not household.risk_eliminated:
        return (_("该户已是监测户（%(cls)s，%(since)s 纳入），风险尚未消除，不能重复识别纳入。")
                % {"cls": household.get_monitoring_class_display(),
                   "since": household.monitoring_since.isoformat() if household.monitoring_since else "—"})
    return None


def labour_assistance_refusal(household: Household) -> str | None:
    """No member with labour capacity, and the household's living covered by 低保/特困: not 风险消除."""
    members = list(household.members.filter(status=vocab.MemberStatus.NORMAL))
    if any(m.labour in LABOUR for m in members):
        return None
    covered = (household.attribute in (vocab.HouseholdAttribute.DIBAO, vocab.HouseholdAttribute.TEKUN)
               or any(m.dibao or m.tekun for m in members))
    if not covered:
        return None
    return _("该户无劳动能力（无普通劳动力或技能劳动力成员），基本生活靠低保或特困供养兜底，"
             "不标注风险消除，继续作为监测对象落实帮扶。")


def risk_elimination_refusal(user, household: Household) -> str | None:
    """Why 风险消除 cannot be opened on `household` by `user` now; None when it can."""
    refusal = _opener_refusal(user, household, Kind.RISK_ELIMINATION)
    if refusal:
        return refusal
    if household.category != vocab.HouseholdCategory.MONITORED:
        return _("只有监测户才能办理风险消除（该户户类别为%(c)s）。") % {"c": household.get_category_display()}
    if household.risk_eliminated:
        return _("该户风险已于 %(d)s 消除。") % {"d": household.risk_eliminated_on}
    return labour_assistance_refusal(household)


def decide_due(village_code: str, start: datetime.date) -> datetime.date:
    """The last day of 识别纳入: the start (the lead's day or the opening) + the pack's decide_days."""
    try:
        standards = policy_pack_for(village_code, start.year).monitoring
    except PolicyPackError as exc:
        raise policy_failure(exc) from None
    if standards is None:
        raise WorkflowError(_("%(y)s 年的政策包没有防止返贫监测标准，不能办理识别纳入。") % {"y": start.year})
    return start + datetime.timedelta(days=standards.decide_days)


def _members_for_comparison(household: Household) -> list[dict]:
    # 信息比对 (comparison.candidate_comparison) reads the persons from the payload, as for 精准识别.
    return [{"id_number": m.id_number, "name": m.name, "dibao": m.dibao, "tekun": m.tekun}
            for m in household.members.filter(status=vocab.MemberStatus.NORMAL).order_by("pk")]


def _verification(household: Household, *, acting_user, verified_on: datetime.date, income_12m: Decimal,
                  out_of_pocket: Decimal, procedure: Procedure | None, note: str) -> IncomeVerification:
    persons = household.members.filter(status=vocab.MemberStatus.NORMAL).count()
    if not persons:
        raise WorkflowError(_("该户没有正常状态的家庭成员，不能核实人均收入。"))
    row = IncomeVerification.objects.create(
        household=household, verified_on=verified_on, income_12m=income_12m,
        compliant_out_of_pocket_12m=out_of_pocket, persons=persons, procedure=procedure, note=note[:200],
        recorded_by=acting_user)
    latest = household.income_12m_verified_on
    if latest is None or verified_on >= latest:
        household.income_12m = income_12m
        household.compliant_out_of_pocket_12m = out_of_pocket
        household.income_12m_verified_on = verified_on
        household._history_user = acting_user
        household._change_reason = _("收入核实")
        household.save(update_fields=["income_12m", "compliant_out_of_pocket_12m", "income_12m_verified_on",
                                      "updated_at"])
    return row


def ledger_event_write(procedure: Procedure, household: Household, actor, *, effective: datetime.date,
                       detail: str, reason: str) -> LedgerEvent:
    """The one ledger event of a monitoring procedure (纳入监测 or 风险消除), and the refresh it queues."""
    event_type = {Kind.MONITORING_ENTRY: LedgerEvent.Type.MONITORED,
                  Kind.RISK_ELIMINATION: LedgerEvent.Type.ELIMINATED}[procedure.kind]
    persons = household.members.filter(status=vocab.MemberStatus.NORMAL).count()
    event = LedgerEvent.objects.create(type=event_type, effective=effective, household=household.code,
                                       village=household.village_id, head_name=household.head_name, persons=persons,
                                       detail=detail[:200], actor=actor, source=LedgerEvent.Source.WORKFLOW,
                                       procedure=procedure)
    from jingzhun.indicators.services import refresh_soon

    refresh_soon(reason=str(reason), triggered_by=actor)
    return event


# --- 识别纳入 ---------------------------------------------------------------------------------------------

@transaction.atomic
def monitoring_entry_open(*, acting_user, household_code: str, monitoring_class: str, risk_types: list[str],
                          income_12m: Any, compliant_out_of_pocket_12m: Any, evidence,
                          lead_id: int | None = None, lead_reported_on: datetime.date | None = None,
                          note: str = "") -> Procedure:
    """入户核实: propose a household as a 监测户, with the signed 承诺授权书, risk types and 12-month income."""
    step = steps_of(Kind.MONITORING_ENTRY)[0]
    access = access_for(acting_user)
    # The household row is the lock two clerks opening procedures on it at once queue on.
    household = get_in_reach(access.filter_households(Household.objects.select_for_update()), code=household_code)
    require_role(acting_user, step, household.code)
    refusal = monitoring_entry_refusal(acting_user, household)
    if refusal:
        raise WorkflowError(refusal)
    if evidence is None:
        raise WorkflowError(_("请上传农户签字的《监测对象申请及承诺授权查询书》（入户核实的必备材料）。"))
    allowed = proposable(household)
    if monitoring_class not in allowed:
        raise WorkflowError(_("户类别为%(c)s的农户只能拟纳入为%(allowed)s。") % {
            "c": household.get_category_display(),
            "allowed": _("、").join(str(vocab.MonitoringClass(c).label) for c in allowed)})
    risks = [r for r in dict.fromkeys(risk_types or []) if r]
    if not risks:
        raise WorkflowError(_("请至少选择一个风险类型。"))
    if len(risks) > 3:
        raise WorkflowError(_("风险类型最多选择三个（主要风险类型和两个其他风险类型）。"))
    unknown = [r for r in risks if r not in vocab.risk_type_names()]
    if unknown:
        raise WorkflowError(_("不认识的风险类型：%(r)s。") % {"r": _("、").join(unknown)})
    income = _money(income_12m, _("近 12 个月家庭纯收入"))
    expenses = _money(compliant_out_of_pocket_12m, _("近 12 个月合规自付支出"))
    if expenses < 0:
        raise WorkflowError(_("合规自付支出不能为负数。"))
    today = clock.today()
    start = lead_reported_on or today
    if start > today:
        raise WorkflowError(_("线索日期不能晚于今天。"))
    due = decide_due(household.village_id, start)
    year = today.year
    payload = {"monitoring_class": monitoring_class, "risk_types": risks, "income_12m": str(income),
               "compliant_out_of_pocket_12m": str(expenses), "lead_id": lead_id, "started_on": start.isoformat(),
               "category_before": household.category, "members": _members_for_comparison(household)}
    try:
        with transaction.atomic():
            procedure = Procedure.objects.create(
                kind=Kind.MONITORING_ENTRY, step=steps_of(Kind.MONITORING_ENTRY)[1].code,
                village_id=household.village_id, household=household, head_name=household.head_name, year=year,
                payload=payload, opened_by=acting_user, due=due)
    except IntegrityError:  # the one-open-procedure constraint: the lock above makes this a backstop
        raise WorkflowError(_("该户已有办理中的程序，办结后才能发起新的程序。")) from None
    _verification(household, acting_user=acting_user, verified_on=today, income_12m=income, out_of_pocket=expenses,
                  procedure=procedure, note=str(_("识别纳入入户核实")))
    record(procedure, step.code, StepRecord.Decision.APPLIED, acting_user, note=note.strip(),
           data={k: payload[k] for k in ("monitoring_class", "risk_types", "income_12m",
                                         "compliant_out_of_pocket_12m", "lead_id", "started_on")},
           evidence=evidence)
    return procedure


def enter_monitoring(procedure: Procedure, actor, *, effective: datetime.date, reason: str) -> Household:
    """纳入: the household becomes a 监测户 of the proposed class, risk types and 纳入时间 (history kept)."""
    household = Household.objects.select_for_update().get(pk=procedure.household_id)
    risks = procedure.payload["risk_types"] + ["", ""]
    household.category = vocab.HouseholdCategory.MONITORED
    household.monitoring_class = procedure.payload["monitoring_class"]
    household.monitoring_since = effective
    household.risk_type, household.other_risk_1, household.other_risk_2 = risks[:3]
    household.risk_eliminated = False
    household.risk_eliminated_on = None
    household._history_user = actor
    household._change_reason = reason
    fields = ["category", "monitoring_class", "monitoring_since", "risk_type", "other_risk_1", "other_risk_2",
              "risk_eliminated", "risk_eliminated_on"]
    _validate(household)
    household.save(update_fields=[*fields, "updated_at"])
    return household


def eliminate_risk(procedure: Procedure, actor, *, effective: datetime.date, reason: str) -> Household:
    """风险消除: risk_eliminated with its date (the household stays a 监测户 of its class, history kept).

    Measures that continue after 风险消除 (小额信贷 to the contract's end, 公益岗位 to the agreement's end,
    雨露计划 to the school stage's end) belong to the assistance module, not built yet: when it exists it
    hooks in here (on commit), keeping those measures running rather than closing them.
    """
    household = Household.objects.select_for_update().get(pk=procedure.household_id)
    household.risk_eliminated = True
    household.risk_eliminated_on = effective
    household._history_user = actor
    household._change_reason = reason
    _validate(household)
    household.save(update_fields=["risk_eliminated", "risk_eliminated_on", "updated_at"])
    return household


def _validate(household: Household) -> None:
    from django.core.exceptions import ValidationError

    try:
        household.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        raise WorkflowError(_("该户信息不完整，不能写入：%(e)s") % {"e": _("；").join(exc.messages)}) from None


@transaction.atomic
def green_channel(*, acting_user, procedure_id: int, reason: str) -> Procedure:
    """绿色通道: the county enters a 突发严重困难户 at once (help first); the remaining steps follow."""
    procedure = locked_procedure(acting_user, procedure_id)
    require(may_write(acting_user))
    require(may_green_channel(acting_user), _("只有县级管理员可以启用绿色通道。"))
    if procedure.kind != Kind.MONITORING_ENTRY or procedure.state != Procedure.State.OPEN:
        raise WorkflowError(_("只能对办理中的识别纳入程序启用绿色通道。"))
    if procedure.green_channel:
        raise WorkflowError(_("该程序已于 %(d)s 启用绿色通道。") % {"d": procedure.green_channel["on"]})
    if procedure.payload.get("monitoring_class") != vocab.MonitoringClass.SUDDEN:
        raise WorkflowError(_("绿色通道只适用于突发严重困难户（该户拟纳入为%(c)s）。")
                            % {"c": vocab.MonitoringClass(procedure.payload["monitoring_class"]).label})
    reason = reason.strip()
    if len(reason) < 10:
        raise WorkflowError(_("请写明启用绿色通道的理由（至少 10 个字），它会随程序永久保存并显示。"))
    today = clock.today()
    with site_language():
        words = _("%(kind)s（程序 %(id)s，绿色通道）") % {"kind": procedure.get_kind_display(), "id": procedure.pk}
        household = enter_monitoring(procedure, acting_user, effective=today, reason=words)
        detail = _("绿色通道先行纳入：%(c)s") % {"c": household.get_monitoring_class_display()}
    procedure.payload["green_channel"] = {"reason": reason, "by": str(acting_user), "on": today.isoformat(),
                                          "step": procedure.step}
    procedure.save(update_fields=["payload"])
    record(procedure, procedure.step, StepRecord.Decision.GREEN_CHANNEL, acting_user, note=reason,
           data={"effective": today.isoformat()})
    ledger_event_write(procedure, household, acting_user, effective=today, detail=detail, reason=words)
    return procedure


# --- 风险消除 ---------------------------------------------------------------------------------------------

def evaluate(household: Household, as_of: datetime.date | None = None) -> list[dict]:
    try:
        with site_language():
            return [c.as_dict() for c in risk_elimination_criteria(household, as_of=as_of or clock.today())]
    except PolicyPackError as exc:
        raise policy_failure(exc) from None


def check_criteria(procedure: Procedure) -> None:
    """Re-evaluate 风险消除 on the locked household; any criterion not met stops the step, saying which."""
    household = Household.objects.select_for_update().get(pk=procedure.household_id)
    refusal = labour_assistance_refusal(household)
    if refusal:
        raise WorkflowError(refusal)
    criteria = evaluate(household)
    procedure.payload["criteria"] = criteria
    procedure.save(update_fields=["payload"])
    failing = [c for c in criteria if c["status"] in (FAIL, NO_DATA)]
    if failing:
        raise WorkflowError(_("风险消除指标未达标：%(list)s。") % {
            "list": _("；").join(_("%(text)s（%(note)s）") % {"text": c["label"], "note": c["data"]} for c in failing)})


@transaction.atomic
def risk_elimination_open(*, acting_user, household_code: str, note: str = "", evidence=None) -> Procedure:
    """风险消除评估: open 风险消除 on a 监测户 whose every criterion is met now (else refused, saying which)."""
    step = steps_of(Kind.RISK_ELIMINATION)[0]
    access = access_for(acting_user)
    household = get_in_reach(access.filter_households(Household.objects.select_for_update()), code=household_code)
    require_role(acting_user, step, household.code)
    refusal = risk_elimination_refusal(acting_user, household)
    if refusal:
        raise WorkflowError(refusal)
    criteria = evaluate(household)
    failing = [c for c in criteria if c["status"] in (FAIL, NO_DATA)]
    if failing:
        raise WorkflowError(_("风险消除指标未达标：%(list)s。") % {
            "list": _("；").join(_("%(text)s（%(note)s）") % {"text": c["label"], "note": c["data"]} for c in failing)})
    try:
        with transaction.atomic():
            procedure = Procedure.objects.create(
                kind=Kind.RISK_ELIMINATION, step=steps_of(Kind.RISK_ELIMINATION)[1].code,
                village_id=household.village_id, household=household, head_name=household.head_name,
                year=clock.today().year, payload={"criteria": criteria}, opened_by=acting_user)
    except IntegrityError:
        raise WorkflowError(_("该户已有办理中的程序，办结后才能发起新的程序。")) from None
    record(procedure, step.code, StepRecord.Decision.APPLIED, acting_user, note=note.strip(),
           data={"criteria": criteria}, evidence=evidence)
    return procedure


@transaction.atomic
def income_verification_record(*, acting_user, household_code: str, verified_on: datetime.date, income_12m: Any,
                               compliant_out_of_pocket_12m: Any, note: str = "") -> IncomeVerification:
    """收入核实: append one verification of a household's 12-month income (the clerk of its village)."""
    access = access_for(acting_user)
    household = get_in_reach(access.filter_households(Household.objects.select_for_update()), code=household_code)
    require(may_write(access))
    require(access.role == Role.VILLAGE_CLERK, _("收入核实由村级信息员登记。"))
    if verified_on > clock.today():
        raise WorkflowError(_("核实日期不能晚于今天。"))
    income = _money(income_12m, _("近 12 个月家庭纯收入"))
    expenses = _money(compliant_out_of_pocket_12m, _("近 12 个月合规自付支出"))
    if expenses < 0:
        raise WorkflowError(_("合规自付支出不能为负数。"))
    return _verification(household, acting_user=acting_user, verified_on=verified_on, income_12m=income,
                         out_of_pocket=expenses, procedure=None, note=note)
