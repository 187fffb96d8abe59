"""Writes of the workflows: opening procedures, acting on steps, overrides (公示 batches: publicity.py).

Every function runs in one transaction, locks the rows it decides on (`select_for_update`) before
reading their state, checks scope and role through the named checks of `orgunits.permissions`
(OutOfReach, a 404, for a record out of reach; Refused, a 403 saying who acts, for a step of another
role), records who did what in a StepRecord, and raises WorkflowError (a Chinese message for the
person) having changed nothing when the step cannot be taken now. A completed
procedure changes the registry (with a history row naming the user), writes one ledger event and
queues an indicator refresh on commit.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils import translation
from django.utils.translation import gettext as _

from jingzhun.accounts.models import Role
from jingzhun.orgunits.access import access_for
from jingzhun.orgunits.permissions import get_in_reach, may_act, may_override_exit, may_write, reach_code, require
from jingzhun.orgunits.models import Level, OrgUnit
from jingzhun.policy import PolicyPackError
from jingzhun.registry import vocab
from jingzhun.registry.models import Household, Member

from .definitions import ADDING_CHANGES, PUBLIC_TYPES, ChangeType, Kind, RemovalReason, Step, next_step, step_of, steps_of
from .evaluation import FAIL, PENDING, household_exit_criteria
from .models import LedgerEvent, Procedure, StepRecord


def site_language():
    """Text that is stored (reasons, notes, criteria, titles) is written in the site's language; what a
    person is told (WorkflowError) stays in theirs."""
    return translation.override(settings.LANGUAGE_CODE)


class WorkflowError(Exception):
    """A step that cannot be taken now; the message says why, in words for the person acting."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


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
MEMBER_FIELDS = ("name", "id_number", "relation", "sex", "ethnicity", "education", "schooling", "health", "labour",
                 "migrant_work", "migrant_months", "medical_insurance", "serious_illness_insurance",
                 "pension_insurance", "dibao", "tekun", "active_soldier")


def _jsonable(data: dict) -> dict:
    return {k: (str(v) if isinstance(v, Decimal) else v) for k, v in data.items()}


def _who(record: StepRecord | None) -> str:
    if record is None:
        return _("他人")
    when = timezone.localtime(record.at).strftime("%Y-%m-%d %H:%M")
    return _("%(who)s 于 %(when)s") % {"who": record.actor, "when": when}


def _require_role(user, step: Step, code: str) -> None:
    """Scope first (out of reach looks absent), then a write role, then the step's own role (Refused
    saying who acts)."""
    access = access_for(user)
    reach_code(access, code)
    require(may_write(access))
    require(may_act(access, step), _("“%(step)s”应由%(role)s办理，您的角色是%(mine)s，不能办理这一步。")
            % {"step": step.label, "role": Role(step.role).label,
               "mine": Role(access.role).label if access.role in Role.values else access.role})


def _locked(model, user, pk: int, *, unit: str):
    """The row `pk` of `model`, locked for this transaction, if its `unit` (an org code) is in reach.

    select_for_update: two officers may act on the same procedure or 公示 batch at once; the second waits
    here and then sees the first one's step already taken.
    """
    try:
        row = model.objects.select_for_update().get(pk=pk)
    except model.DoesNotExist:
        raise Http404(f"no such {model._meta.model_name}") from None
    reach_code(user, getattr(row, unit))
    return row


def _locked_procedure(user, procedure_id: int) -> Procedure:
    return _locked(Procedure, user, procedure_id, unit="village_id")


def _stale(procedure: Procedure, expected_step: str) -> WorkflowError:
    """The message for someone acting on a step that was already taken (or a procedure already closed)."""
    last = procedure.records.select_related("actor").order_by("-at", "-id").first()
    if procedure.state != Procedure.State.OPEN:
        return WorkflowError(_("该程序已由%(who)s%(state)s，不能再办理。")
                             % {"who": _who(last), "state": procedure.get_state_display()})
    try:
        taken = step_of(procedure.kind, expected_step).label
    except KeyError:  # a forged or outdated form: name the step as it is now
        return WorkflowError(_("当前步骤是“%(now)s”，请刷新页面后办理。") % {"now": procedure.current_step.label})
    return WorkflowError(_("“%(step)s”已由%(who)s办理，当前步骤是“%(now)s”。请刷新页面查看最新进度。")
                         % {"step": taken, "who": _who(last), "now": procedure.current_step.label})


def _record(procedure: Procedure, step: str, decision: str, actor, *, note: str = "", data: dict | None = None,
            evidence=None) -> StepRecord:
    record = StepRecord(procedure=procedure, step=step, decision=decision, note=note, data=data or {}, actor=actor)
    if evidence is not None:
        record.evidence_name = evidence.name[:255]
        record.evidence.save(evidence.name, evidence, save=False)
    record.save()
    return record


def _close(procedure: Procedure, state: str, *, reason: str = "") -> None:
    procedure.state = state
    procedure.step = ""
    procedure.batch = None
    procedure.reason = reason
    procedure.closed_at = timezone.now()
    procedure.save(update_fields=["state", "step", "batch", "reason", "closed_at"])


def _year(year: int | None) -> int:
    year = year or timezone.localdate().year
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
    _require_role(acting_user, step, village_code)
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
    _record(procedure, step.code, StepRecord.Decision.APPLIED, acting_user, note=note, evidence=evidence)
    return procedure


# --- 户退出, 返贫, 清退, 人员变更: opening on a registered household ---------------------------------

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
    _require_role(acting_user, step, household.code)
    current = household.procedures.filter(state=Procedure.State.OPEN).select_related("opened_by").first()
    if current is not None:
        raise WorkflowError(_("该户已有办理中的“%(kind)s”程序（%(who)s 于 %(when)s 发起），办结后才能发起新的程序。")
                            % {"kind": current.get_kind_display(), "who": current.opened_by,
                               "when": timezone.localtime(current.opened_at).strftime("%Y-%m-%d")})
    if household.status not in START_STATUSES[kind]:
        raise WorkflowError(_("该户脱贫状态为“%(status)s”，不能办理“%(kind)s”。")
                            % {"status": household.status, "kind": Kind(kind).label})
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
        payload.update(_member_change_payload(household, data))
    try:
        with transaction.atomic():
            procedure = Procedure.objects.create(kind=kind, step=steps_of(kind)[1].code, village_id=household.village_id,
                                                 household=household, head_name=household.head_name, year=year,
                                                 payload=payload, opened_by=acting_user)
    except IntegrityError:  # the one-open-procedure constraint: the lock above makes this a backstop
        raise WorkflowError(_("该户已有办理中的程序，办结后才能发起新的程序。")) from None
    _record(procedure, step.code, StepRecord.Decision.APPLIED, acting_user, note=note,
            data=_jsonable({k: v for k, v in data.items() if k != "member"}), evidence=evidence)
    return procedure


def _member_change_payload(household: Household, data: dict[str, Any]) -> dict[str, Any]:
    change = data.get("change", "")
    if change not in ChangeType.values:
        raise WorkflowError(_("请选择变更类型。"))
    if change in ADDING_CHANGES:
        member = data.get("member")
        if not member:
            raise WorkflowError(_("请填写新增成员的信息。"))
        if member.get("relation") == vocab.Relation.HEAD:
            raise WorkflowError(_("新增成员不能是“户主”。"))
        if Member.objects.filter(id_number=member["id_number"], status=vocab.MemberStatus.NORMAL).exists():
            raise WorkflowError(_("身份证号 %(id)s 已在建档立卡户中登记。") % {"id": member["id_number"]})
        return {"change": change, "member": _jsonable({k: member.get(k) for k in MEMBER_FIELDS}),
                "person": member["name"]}
    member = household.members.filter(pk=data.get("member_id"), status=vocab.MemberStatus.NORMAL).first()
    if member is None:
        raise WorkflowError(_("请选择本户一名人员状态为“正常”的成员。"))
    if member.relation == vocab.Relation.HEAD:
        raise WorkflowError(_("户主不能直接减员：请先在户信息中变更户主。"))
    return {"change": change, "member_id": member.pk, "person": member.name}


def _evaluate(household: Household, year: int, food_clothing: bool | None) -> list[dict]:
    try:
        with site_language():
            return [c.as_dict() for c in household_exit_criteria(household, year=year, food_clothing=food_clothing)]
    except PolicyPackError as exc:
        raise WorkflowError(_("政策包有误，无法评估：%(e)s") % {"e": exc}) from None


def _blocking(procedure: Procedure, criteria: list[dict], *, final: bool) -> list[dict]:
    """Criteria that stop an exit now: failed ones the county has not overridden (and, at the end,
    criteria still waiting for data)."""
    stops = {FAIL, PENDING, "no_data"} if final else {FAIL, "no_data"}
    return [c for c in criteria if c["status"] in stops and c["key"] not in procedure.override_criteria]


def _check_exit(procedure: Procedure, *, final: bool = False) -> None:
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
    happens and the message says who did.
    """
    data = data or {}
    procedure = _locked_procedure(acting_user, procedure_id)
    if procedure.state != Procedure.State.OPEN or procedure.step != step:
        raise _stale(procedure, step)
    current = procedure.current_step
    _require_role(acting_user, current, procedure.village_id)
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
        _record(procedure, current.code, StepRecord.Decision.REJECTED, acting_user, note=note,
                data={**{k: v for k, v in data.items() if v not in (None, "")}, **recorded}, evidence=evidence)
        _close(procedure, Procedure.State.REJECTED, reason=f"{decision_words}：{note}")
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
        _check_exit(procedure)
    _record(procedure, current.code, StepRecord.Decision.APPROVED, acting_user, note=note, data=recorded,
            evidence=evidence)
    _advance(procedure, acting_user)
    return procedure


def _advance(procedure: Procedure, actor, *, effective: datetime.date | None = None) -> None:
    following = next_step(procedure.kind, procedure.step)
    if following is None:
        _complete(procedure, actor, effective=effective or timezone.localdate())
        return
    procedure.step = following.code
    procedure.batch = None
    procedure.save(update_fields=["step", "batch", "payload"])


# --- Completion: the registry changes, the ledger records ----------------------------------------------

def _complete(procedure: Procedure, actor, *, effective: datetime.date) -> None:
    # What is kept (the history's change reason, the event's detail) is in the site's language,
    # whoever's request completed the procedure.
    with site_language():
        _complete_in_site_language(procedure, actor, effective=effective)


def _complete_in_site_language(procedure: Procedure, actor, *, effective: datetime.date) -> None:
    reason = _("%(kind)s（程序 %(id)s）") % {"kind": procedure.get_kind_display(), "id": procedure.pk}
    detail = ""
    change = ""
    if procedure.kind == Kind.ENTRY:
        household = _enter_household(procedure, actor, reason)
        persons = len(procedure.payload["members"])
        event_type = LedgerEvent.Type.NEW
        detail = _("识别年度 %(y)s") % {"y": procedure.year}
    else:
        household = Household.objects.select_for_update().get(pk=procedure.household_id)
        persons = household.members.filter(status=vocab.MemberStatus.NORMAL).count()
        if procedure.kind == Kind.EXIT:
            _set_household(household, actor, reason, status=vocab.PovertyStatus.EXITED, exit_year=procedure.year)
            event_type, detail = LedgerEvent.Type.EXIT, _("脱贫年度 %(y)s") % {"y": procedure.year}
        elif procedure.kind == Kind.RETURN:
            _set_household(household, actor, reason, status=vocab.PovertyStatus.RETURNED)
            event_type = LedgerEvent.Type.RETURN
        elif procedure.kind == Kind.REMOVAL:
            _set_household(household, actor, reason, status=vocab.PovertyStatus.REMOVED)
            event_type, detail = LedgerEvent.Type.REMOVAL, procedure.payload["reason_category"]
        else:
            _apply_member_change(procedure, household, actor, reason)
            event_type, persons, change = LedgerEvent.Type.NATURAL, 1, procedure.payload["change"]
            detail = f"{ChangeType(change).label}：{procedure.payload['person']}"
    procedure.household = household
    procedure.state = Procedure.State.DONE
    procedure.step = ""
    procedure.batch = None
    procedure.closed_at = timezone.now()
    procedure.save(update_fields=["household", "state", "step", "batch", "closed_at", "payload"])
    # OneToOne on the procedure: even a path that slipped past the lock could not record it twice.
    LedgerEvent.objects.create(type=event_type, effective=effective, household=household.code,
                               village=household.village_id, head_name=household.head_name, persons=persons,
                               detail=detail[:200], change=change, actor=actor,
                               source=LedgerEvent.Source.WORKFLOW, procedure=procedure)
    from jingzhun.indicators.services import refresh_soon

    refresh_soon(reason=str(reason), triggered_by=actor)


def _set_household(household: Household, actor, reason: str, **values) -> None:
    for name, value in values.items():
        setattr(household, name, value)
    household._history_user = actor
    household._change_reason = reason
    household.save(update_fields=[*values, "updated_at"])


def _enter_household(procedure: Procedure, actor, reason: str) -> Household:
    # Lock the village row: two 公告 in one village at once would otherwise pick the same serial.
    OrgUnit.objects.select_for_update().get(code=procedure.village_id)
    last = (Household.objects.filter(code__startswith=procedure.village_id).order_by("-code")
            .values_list("code", flat=True).first())
    serial = int(last[12:]) + 1 if last else 1
    if serial > 9999:
        raise WorkflowError(_("该村户编号已用完（9999），请联系县级管理员。"))
    fields = dict(procedure.payload["household"])
    for name in ("wage_income", "business_income", "property_income", "transfer_income", "business_expense",
                 "housing_area"):
        if fields.get(name) is not None:
            fields[name] = Decimal(fields[name])
    clash = Member.objects.filter(id_number__in=[m["id_number"] for m in procedure.payload["members"]],
                                  status=vocab.MemberStatus.NORMAL).exclude(household__status=vocab.PovertyStatus.REMOVED)
    if clash.exists():
        raise WorkflowError(_("该户成员已在建档立卡户中登记（可能由导入写入），不能重复识别。"))
    household = Household(code=f"{procedure.village_id}{serial:04d}", village_id=procedure.village_id,
                          status=vocab.PovertyStatus.POOR, identified_year=procedure.year,
                          **{k: ("" if v is None and k in _BLANKABLE else v) for k, v in fields.items()})
    household._history_user = actor
    household._change_reason = reason
    try:
        household.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        raise WorkflowError(_("申请中的户信息不完整：%(e)s") % {"e": _("；").join(exc.messages)}) from None
    household.save(force_insert=True)
    for data in procedure.payload["members"]:
        _new_member(household, data, actor, reason)
    return household


_BLANKABLE = frozenset({"standard", "other_cause_1", "other_cause_2", "housing_grade", "phone", "ethnicity",
                        "education", "schooling", "migrant_work"})


def _new_member(household: Household, data: dict, actor, reason: str) -> Member:
    member = Member(household=household, status=vocab.MemberStatus.NORMAL,
                    **{k: ("" if v is None and k in _BLANKABLE else v) for k, v in data.items()})
    member._history_user = actor
    member._change_reason = reason
    try:
        member.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        raise WorkflowError(_("成员 %(name)s 的信息不完整：%(e)s") % {"name": data.get("name"), "e": _("；").join(exc.messages)}) from None
    member.save()
    return member


def _apply_member_change(procedure: Procedure, household: Household, actor, reason: str) -> None:
    change = procedure.payload["change"]
    if change in ADDING_CHANGES:
        data = procedure.payload["member"]
        if household.members.filter(id_number=data["id_number"]).exists():
            raise WorkflowError(_("本户已有身份证号为 %(id)s 的成员。") % {"id": data["id_number"]})
        _new_member(household, data, actor, reason)
        return
    member = Member.objects.select_for_update().filter(pk=procedure.payload["member_id"], household=household).first()
    if member is None or member.status != vocab.MemberStatus.NORMAL:
        raise WorkflowError(_("该成员已不是“正常”状态，变更无法办理。"))
    member.status = vocab.MemberStatus.DECEASED if change == ChangeType.DEATH else vocab.MemberStatus.MOVED_OUT
    member._history_user = actor
    member._change_reason = reason
    member.save(update_fields=["status", "updated_at"])


# --- 户退出: the county's written override --------------------------------------------------------------

@transaction.atomic
def exit_override(*, acting_user, procedure_id: int, reason: str) -> Procedure:
    """县级特批: a county admin lets the currently failed criteria of an exit pass, with a written reason."""
    procedure = _locked_procedure(acting_user, procedure_id)
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
    _record(procedure, procedure.step, StepRecord.Decision.OVERRIDE, acting_user, note=reason,
            data={"criteria": [{"key": c["key"], "label": c["label"], "data": c["data"]} for c in failed]})
    return procedure
