"""Writes of the workflows: opening procedures, acting on steps, overrides (公示 batches: publicity.py).

Every function runs in one transaction, locks the rows it decides on (`select_for_update`) before
reading their state, checks scope and role through the named checks of `orgunits.permissions`
(OutOfReach, a 404, for a record out of reach; Refused, a 403 saying who acts, for a step of another
role), records who did what in a StepRecord, and raises WorkflowError (a Chinese message for the
person) having changed nothing when the step cannot be taken now. A completed procedure changes the
registry (completion.py: a history row naming the user, one ledger event, an indicator refresh queued
on commit). The shared helpers are in common.py; WorkflowError and site_language are re-exported here.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jingzhun.accounts.models import Role
from jingzhun.orgunits.access import access_for
from jingzhun.orgunits.permissions import get_in_reach, may_act, may_override_exit, may_write, require
from jingzhun.orgunits.models import Level, OrgUnit
from jingzhun.policy import PolicyPackError
from jingzhun.registry import vocab
from jingzhun.registry.models import Household, Member

from . import clock
from .common import WorkflowError, close, locked_procedure, policy_failure, record, require_role, site_language, stale
from .completion import procedure_complete
from .definitions import PUBLIC_TYPES, Kind, RemovalReason, next_step, steps_of
from .evaluation import FAIL, PENDING, household_exit_criteria
from .member_change import MEMBER_FIELDS, declared_after, income_impact, member_change_payload
from .models import Procedure, StepRecord
from .monitoring_procedures import check_criteria, monitoring_entry_refusal, risk_elimination_refusal

__all__ = ["HOUSEHOLD_FIELDS", "MEMBER_FIELDS", "START_STATUSES", "WorkflowError", "entry_open", "exit_override",
           "procedure_act", "procedure_open", "site_language", "start_refusal"]

#: The registry statuses a household must have for each procedure to start.
START_STATUSES = {
    Kind.EXIT: (vocab.PovertyStatus.POOR, vocab.PovertyStatus.RETURNED),
    Kind.RETURN: (vocab.PovertyStatus.EXITED,),
    Kind.REMOVAL: (vocab.PovertyStatus.POOR, vocab.PovertyStatus.EXITED, vocab.PovertyStatus.RETURNED),
    Kind.MEMBER_CHANGE: (vocab.PovertyStatus.POOR, vocab.PovertyStatus.EXITED, vocab.PovertyStatus.RETURNED),
}

HOUSEHOLD_FIELDS = ("head_name", "head_id_number", "standard", "attribute", "main_cause", "other_cause_1",
                    "other_cause_2", "income_year", "wage_income", "business_income", "property_income",
                    "transfer_income", "business_expense", "housing_area", "housing_grade", "safe_water",
                    "electricity", "relocated", "phone")


def _jsonable(data: dict) -> dict:
    return {k: (str(v) if isinstance(v, Decimal) else v) for k, v in data.items()}


def _year(year: int | None) -> int:
    year = year or clock.today().year
    if not 2000 <= year <= 2100:
        raise WorkflowError(_("年度应在 2000 到 2100 之间。"))
    return year


# --- 精准识别: opening with the candidate household ------------------------------------------------

@transaction.atomic
def entry_open(*, acting_user, village_code: str, household: dict[str, Any], members: list[dict[str, Any]],
               year: int | None = None, note: str = "", evidence=None) -> Procedure:
    """农户申请: record a candidate household (its members and income) in a village for 精准识别.

    `household` and `members` are cleaned form data (fields of HOUSEHOLD_FIELDS / MEMBER_FIELDS).
    """
    step = steps_of(Kind.ENTRY)[0]
    require_role(acting_user, step, village_code)
    village = OrgUnit.objects.filter(code=village_code, level=Level.VILLAGE).first()
    if village is None:
        raise WorkflowError(_("没有代码为 %(code)s 的村。") % {"code": village_code})
    year = _year(year)
    if not members:
        raise WorkflowError(_("请至少填写一名家庭成员（户主）。"))
    heads = [m for m in members if m.get("relation") == vocab.Relation.HEAD]
    if len(heads) != 1:
        raise WorkflowError(_("家庭成员中应有且只有一名“户主”。"))
    ids = [m["id_number"] for m in members]
    if len(set(ids)) != len(ids):
        raise WorkflowError(_("家庭成员的身份证号有重复。"))
    if heads[0]["id_number"] != household["head_id_number"] or heads[0]["name"] != household["head_name"]:
        raise WorkflowError(_("户主姓名和身份证号应与成员表中“户主”一行一致。"))
    registered = set(Member.objects.filter(id_number__in=ids, status=vocab.MemberStatus.NORMAL)
                     .exclude(household__status=vocab.PovertyStatus.REMOVED).values_list("id_number", flat=True))
    if registered:
        raise WorkflowError(_("身份证号 %(ids)s 已在建档立卡户中登记，不能重复识别。") % {"ids": _("、").join(sorted(registered))})
    pending = Procedure.objects.filter(kind=Kind.ENTRY, state=Procedure.State.OPEN,
                                       payload__head_id_number=household["head_id_number"])
    if pending.exists():
        raise WorkflowError(_("该户主已有办理中的识别申请，不能重复申请。"))
    procedure = Procedure.objects.create(
        kind=Kind.ENTRY, step=steps_of(Kind.ENTRY)[1].code, village=village, head_name=household["head_name"],
        year=year, opened_by=acting_user,
        payload={"head_id_number": household["head_id_number"],
                 "household": _jsonable({k: household.get(k) for k in HOUSEHOLD_FIELDS}),
                 "members": [_jsonable({k: m.get(k) for k in MEMBER_FIELDS}) for m in members]})
    record(procedure, step.code, StepRecord.Decision.APPLIED, acting_user, note=note, evidence=evidence)
    return procedure


# --- 户退出, 返贫, 清退, 人员变更: opening on a registered household ---------------------------------

def latest_line_year(province: str) -> int:
    """The latest year up to this one with a poverty line for the province: an exit is judged against
    a line, and the table ends where the national standard ended (the exit form's default year)."""
    from jingzhun.analytics.lines import poverty_lines

    this_year = timezone.localdate().year
    years = [r["year"] for r in poverty_lines().to_pylist() if r["region"] in ("CN", province) and r["year"] <= this_year]
    return max(years, default=this_year)


def start_refusal(user, household: Household, kind: str) -> str | None:
    """Why `kind` cannot be opened on `household` by `user` now, in words for them; None when it can.

    The one precondition the service enforces, the household page uses to offer its buttons and the
    opening form uses to answer without a form: the role that opens it, no other open procedure, the
    household's 脱贫状态. The monitoring procedures have their own (monitoring_procedures.py).
    """
    if kind == Kind.MONITORING_ENTRY:
        return monitoring_entry_refusal(user, household)
    if kind == Kind.RISK_ELIMINATION:
        return risk_elimination_refusal(user, household)
    if kind not in START_STATUSES:
        return _("不认识的程序类型。")
    first = steps_of(kind)[0]
    access = access_for(user)
    if not (may_write(access) and may_act(access, first)):
        return _("“%(kind)s”由%(role)s发起。") % {"kind": Kind(kind).label, "role": Role(first.role).label}
    current = household.procedures.filter(state=Procedure.State.OPEN).select_related("opened_by").first()
    if current is not None:
        return (_("该户已有办理中的“%(kind)s”程序（%(who)s 于 %(when)s 发起），办结后才能发起新的程序。")
                % {"kind": current.get_kind_display(), "who": current.opened_by,
                   "when": timezone.localtime(current.opened_at).strftime("%Y-%m-%d")})
    if household.status not in START_STATUSES[kind]:
        allowed = _("、").join(str(vocab.PovertyStatus(s).label) for s in START_STATUSES[kind])
        return (_("该户脱贫状态为“%(status)s”，不能办理“%(kind)s”（须为%(allowed)s）。")
                % {"status": household.get_status_display(), "kind": Kind(kind).label, "allowed": allowed})
    return None


@transaction.atomic
def procedure_open(*, acting_user, kind: str, household_code: str, year: int | None = None, note: str = "",
                   data: dict[str, Any] | None = None, evidence=None) -> Procedure:
    """Open a procedure on a registered household (one open procedure per household at a time)."""
    if kind not in START_STATUSES:
        raise WorkflowError(_("不认识的程序类型。"))
    data = data or {}
    step = steps_of(kind)[0]
    access = access_for(acting_user)
    # The household row is the lock two officers starting procedures on it at once queue on.
    household = get_in_reach(access.filter_households(Household.objects.select_for_update()), code=household_code)
    require_role(acting_user, step, household.code)
    refusal = start_refusal(acting_user, household, kind)
    if refusal:
        raise WorkflowError(refusal)
    year = _year(year)
    payload: dict[str, Any] = {}
    if kind == Kind.EXIT:
        if year < household.identified_year:
            raise WorkflowError(_("脱贫年度不能早于识别年度（%(y)s）。") % {"y": household.identified_year})
        payload["food_clothing"] = None
        payload["criteria"] = _evaluate(household, year, None)
    elif kind == Kind.REMOVAL:
        category = data.get("reason_category", "")
        if category not in RemovalReason.values:
            raise WorkflowError(_("请选择清退原因类别。"))
        if not note.strip():
            raise WorkflowError(_("请写明清退的具体情况。"))
        payload["reason_category"] = category
    elif kind == Kind.RETURN:
        if not note.strip():
            raise WorkflowError(_("请写明返贫原因。"))
    elif kind == Kind.MEMBER_CHANGE:
        payload.update(member_change_payload(household, data))
    try:
        with transaction.atomic():
            procedure = Procedure.objects.create(kind=kind, step=steps_of(kind)[1].code, village_id=household.village_id,
                                                 household=household, head_name=household.head_name, year=year,
                                                 payload=payload, opened_by=acting_user)
    except IntegrityError:  # the one-open-procedure constraint: the lock above makes this a backstop
        raise WorkflowError(_("该户已有办理中的程序，办结后才能发起新的程序。")) from None
    record(procedure, step.code, StepRecord.Decision.APPLIED, acting_user, note=note,
           data=_jsonable({k: v for k, v in data.items() if k != "member"}), evidence=evidence)
    return procedure


def _evaluate(household: Household, year: int, food_clothing: bool | None) -> list[dict]:
    try:
        with site_language():
            return [c.as_dict() for c in household_exit_criteria(household, year=year, food_clothing=food_clothing)]
    except PolicyPackError as exc:
        raise policy_failure(exc) from None


def _blocking(procedure: Procedure, criteria: list[dict], *, final: bool) -> list[dict]:
    """Criteria that stop an exit now: failed ones the county has not overridden (and, at the end,
    criteria still waiting for data)."""
    stops = {FAIL, PENDING, "no_data"} if final else {FAIL, "no_data"}
    return [c for c in criteria if c["status"] in stops and c["key"] not in procedure.override_criteria]


def check_exit(procedure: Procedure, *, final: bool = False) -> None:
    household = Household.objects.select_for_update().get(pk=procedure.household_id)
    criteria = _evaluate(household, procedure.year, procedure.payload.get("food_clothing"))
    procedure.payload["criteria"] = criteria
    procedure.save(update_fields=["payload"])
    blocking = _blocking(procedure, criteria, final=final)
    if blocking:
        raise WorkflowError(_("退出指标未达标：%(list)s。未达标的指标须整改达标，或由县级管理员书面特批后才能继续。")
                            % {"list": _("；").join(_("%(text)s（%(note)s）") % {"text": c["label"], "note": c["data"]}
                                          for c in blocking)})


# --- Acting on a step --------------------------------------------------------------------------------

@transaction.atomic
def procedure_act(*, acting_user, procedure_id: int, step: str, approve: bool, note: str = "",
                  data: dict[str, Any] | None = None, evidence=None) -> Procedure:
    """Take the current step of a procedure: approve (it moves on) or reject (it ends with the reason).

    `step` is the step the person saw on their page: if someone else took it meanwhile, nothing
    happens and the message says who did. Approving a member change's last step takes
    `data["declared_per_capita_income"]`, the 申报年人均纯收入 after the change (member_change.py).
    """
    data = data or {}
    procedure = locked_procedure(acting_user, procedure_id)
    if procedure.state != Procedure.State.OPEN or procedure.step != step:
        raise stale(procedure, step)
    current = procedure.current_step
    require_role(acting_user, current, procedure.village_id)
    if current.type in PUBLIC_TYPES:
        raise WorkflowError(_("“%(step)s”通过公示批次办理：请在公示页面发布或结束公示。") % {"step": current.label})
    note = note.strip()
    recorded: dict[str, Any] = {}
    if current.type == "comparison":
        # What the departments' data said when the county decided, kept with the decision.
        from .comparison import candidate_comparison

        found = candidate_comparison(procedure)
        recorded["findings"] = list(found.findings)
        recorded["kinds_loaded"] = list(found.kinds_loaded)
        if (data.get("comparison") or "").strip():
            recorded["comparison"] = data["comparison"].strip()
    if not approve:
        if not note:
            raise WorkflowError(_("不通过时请写明理由。"))
        with site_language():
            decision_words = ({"consent": _("农户不同意退出")}.get(current.type)
                              or _("%(step)s未通过") % {"step": current.label})
        record(procedure, current.code, StepRecord.Decision.REJECTED, acting_user, note=note,
               data=_jsonable({**{k: v for k, v in data.items() if v not in (None, "")}, **recorded}),
               evidence=evidence)
        close(procedure, Procedure.State.REJECTED, reason=f"{decision_words}：{note}")
        return procedure
    if current.type == "verification":
        food_clothing = data.get("food_clothing")
        if food_clothing not in (True, False):
            raise WorkflowError(_("请填写核实结果：是否做到不愁吃、不愁穿。"))
        procedure.payload["food_clothing"] = food_clothing
        recorded["food_clothing"] = food_clothing
    if current.type == "comparison":
        result = (data.get("comparison") or "").strip()
        if not result:
            raise WorkflowError(_("请填写部门比对结果（如“车辆、房产、工商、财政供养均无比中”）。"))
        recorded["comparison"] = result
    if procedure.kind == Kind.EXIT:
        check_exit(procedure)
    if procedure.kind == Kind.RISK_ELIMINATION:
        check_criteria(procedure)
    if procedure.kind == Kind.MEMBER_CHANGE and next_step(procedure.kind, current.code) is None:
        # The household row is locked: the figures the approver confirms are the ones written.
        household = Household.objects.select_for_update().get(pk=procedure.household_id)
        impact = income_impact(household, procedure.payload["change"])
        declared = declared_after(impact, data.get("declared_per_capita_income"))
        procedure.payload["declared_after"] = None if declared is None else str(declared)
        recorded["income"] = impact.as_dict()
        recorded["declared_after"] = procedure.payload["declared_after"]
    record(procedure, current.code, StepRecord.Decision.APPROVED, acting_user, note=note, data=recorded,
           evidence=evidence)
    advance(procedure, acting_user)
    return procedure


def advance(procedure: Procedure, actor, *, effective: datetime.date | None = None) -> None:
    """Move `procedure` past its current step; after the last one, apply it to the registry."""
    following = next_step(procedure.kind, procedure.step)
    if following is None:
        procedure_complete(procedure, actor, effective=effective or clock.today())
        return
    procedure.step = following.code
    procedure.batch = None
    procedure.save(update_fields=["step", "batch", "payload"])


# --- 户退出: the county's written override --------------------------------------------------------------

@transaction.atomic
def exit_override(*, acting_user, procedure_id: int, reason: str) -> Procedure:
    """县级特批: a county admin lets the currently failed criteria of an exit pass, with a written reason."""
    procedure = locked_procedure(acting_user, procedure_id)
    access = access_for(acting_user)
    require(may_write(access))
    require(may_override_exit(access), _("只有县级管理员可以特批未达标的退出指标。"))
    if procedure.kind != Kind.EXIT or procedure.state != Procedure.State.OPEN:
        raise WorkflowError(_("只能对办理中的户退出程序特批。"))
    reason = reason.strip()
    if len(reason) < 10:
        raise WorkflowError(_("请写明特批理由（至少 10 个字），它会随程序永久保存并显示。"))
    household = Household.objects.select_for_update().get(pk=procedure.household_id)
    criteria = _evaluate(household, procedure.year, procedure.payload.get("food_clothing"))
    failed = [c for c in criteria if c["status"] in (FAIL, "no_data")]
    if not failed:
        raise WorkflowError(_("当前没有未达标的指标，无需特批。"))
    keys = sorted({*procedure.override_criteria, *(c["key"] for c in failed)})
    procedure.payload["criteria"] = criteria
    procedure.override_reason = reason
    procedure.override_criteria = keys
    procedure.override_by = acting_user
    procedure.save(update_fields=["payload", "override_reason", "override_criteria", "override_by"])
    record(procedure, procedure.step, StepRecord.Decision.OVERRIDE, acting_user, note=reason,
            data={"criteria": [{"key": c["key"], "label": c["label"], "data": c["data"]} for c in failed]})
    return procedure
