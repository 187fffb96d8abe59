"""A completed procedure changes the registry: the household entered, its status set, a member added or
taken out (with the declared income the approver confirmed), a history row naming the user, one ledger
event, and an indicator refresh queued on commit. Runs inside the caller's transaction.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from jingzhun.orgunits.models import OrgUnit
from jingzhun.registry import vocab
from jingzhun.registry.models import Household, Member

from . import clock
from .common import WorkflowError, site_language
from .definitions import MONITORING_KINDS, ChangeType, Kind
from .member_change import member_change_apply
from .models import LedgerEvent, Procedure
from .monitoring_procedures import eliminate_risk, enter_monitoring, ledger_event_write


def procedure_complete(procedure: Procedure, actor, *, effective: datetime.date) -> None:
    # What is kept (the history's change reason, the event's detail) is in the site's language,
    # whoever's request completed the procedure.
    with site_language():
        _complete_in_site_language(procedure, actor, effective=effective)


def _complete_in_site_language(procedure: Procedure, actor, *, effective: datetime.date) -> None:
    reason = _("%(kind)s（程序 %(id)s）") % {"kind": procedure.get_kind_display(), "id": procedure.pk}
    detail = ""
    change = ""
    if procedure.kind in MONITORING_KINDS:
        _complete_monitoring(procedure, actor, effective=effective, reason=reason)
        return
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
            member_change_apply(procedure, household, actor, reason, new_member=_new_member)
            event_type, persons, change = LedgerEvent.Type.NATURAL, 1, procedure.payload["change"]
            detail = f"{ChangeType(change).label}：{procedure.payload['person']}"
    procedure.household = household
    procedure.state = Procedure.State.DONE
    procedure.step = ""
    procedure.batch = None
    procedure.closed_at = clock.now()
    procedure.save(update_fields=["household", "state", "step", "batch", "closed_at", "payload"])
    # OneToOne on the procedure: even a path that slipped past the lock could not record it twice.
    LedgerEvent.objects.create(type=event_type, effective=effective, household=household.code,
                               village=household.village_id, head_name=household.head_name, persons=persons,
                               detail=detail[:200], change=change, actor=actor,
                               source=LedgerEvent.Source.WORKFLOW, procedure=procedure)
    from jingzhun.indicators.services import refresh_soon

    refresh_soon(reason=str(reason), triggered_by=actor)


def _close_done(procedure: Procedure) -> None:
    procedure.state = Procedure.State.DONE
    procedure.step = ""
    procedure.batch = None
    procedure.closed_at = clock.now()
    procedure.save(update_fields=["state", "step", "batch", "closed_at", "payload"])


def _complete_monitoring(procedure: Procedure, actor, *, effective: datetime.date, reason: str) -> None:
    if procedure.kind == Kind.MONITORING_ENTRY:
        if procedure.green_channel:
            # Entered at the 绿色通道 (its ledger event is that day's): 县级审定 confirms, writes nothing again.
            _close_done(procedure)
            return
        household = enter_monitoring(procedure, actor, effective=effective, reason=reason)
        detail = _("%(c)s，纳入时间 %(d)s") % {"c": household.get_monitoring_class_display(), "d": effective}
    else:
        household = eliminate_risk(procedure, actor, effective=effective, reason=reason)
        detail = _("风险消除日期 %(d)s") % {"d": effective}
    _close_done(procedure)
    ledger_event_write(procedure, household, actor, effective=effective, detail=detail, reason=reason)


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
