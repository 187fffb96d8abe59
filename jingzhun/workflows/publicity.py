"""Writes of the 公示/公告 steps: publishing a batch of procedures, closing it, objections.

Split from services.py (the procedures themselves), whose recording and advancing helpers it uses; the
same rules hold: one transaction, rows locked before their state is read, role and scope checked, a
WorkflowError with a Chinese message having changed nothing.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from jingzhun.orgunits.access import access_for
from jingzhun.orgunits.permissions import OutOfReach
from jingzhun.policy import PolicyPackError, policy_pack_for

from .definitions import PUBLIC_TYPES, Kind, Step, step_of
from .models import Objection, Procedure, PublicityBatch, StepRecord
from .services import WorkflowError, _advance, _check_exit, _close, _locked, _record, _require_role, site_language


def _publicity_step(kind: str, step_code: str) -> Step:
    try:
        step = step_of(kind, step_code)
    except KeyError:
        raise WorkflowError(_("没有这个公示步骤。")) from None
    if step.type not in PUBLIC_TYPES:
        raise WorkflowError(_("“%(step)s”不是公示或公告步骤。") % {"step": step.label})
    return step


@transaction.atomic
def batch_open(*, acting_user, kind: str, step: str, procedure_ids: list[int], start: datetime.date,
               title: str = "") -> PublicityBatch:
    """Publish a 公示 (or 公告) of the procedures waiting at one public step, from `start` for the pack's
    number of days. A 公告 completes the step at once: the procedures are done."""
    if kind not in Kind.values:
        raise WorkflowError(_("不认识的程序类型。"))
    public = _publicity_step(kind, step)
    unit = acting_user.org_unit
    if unit is None:
        raise WorkflowError(_("您的账号没有绑定单位，不能发布公示。"))
    _require_role(acting_user, public, unit.code)
    if not procedure_ids:
        raise WorkflowError(_("请至少选择一户。"))
    today = timezone.localdate()
    if start > today:
        raise WorkflowError(_("公示开始日期不能晚于今天（%(d)s）。") % {"d": today})
    if start < today - datetime.timedelta(days=366):
        raise WorkflowError(_("公示开始日期不能早于一年前。"))
    procedures = list(Procedure.objects.select_for_update().filter(pk__in=procedure_ids).order_by("pk"))
    access = access_for(acting_user)
    found = {p.pk for p in procedures if access.reaches_code(p.village_id) and p.village_id.startswith(unit.code)}
    if {p.pk for p in procedures} - found:
        raise OutOfReach("procedure out of reach")
    if set(procedure_ids) - found:
        raise Http404("no such procedure")
    not_ready = [p for p in procedures if p.kind != kind or p.state != Procedure.State.OPEN or p.step != step
                 or p.batch_id is not None]
    if not_ready:
        raise WorkflowError(_("以下户已不在“%(step)s”待公示状态（可能已被他人发布或办理），请刷新后重试：%(names)s")
                            % {"step": public.label, "names": _("、").join(p.head_name for p in not_ready)})
    for procedure in procedures:
        if procedure.kind == Kind.EXIT:
            try:
                _check_exit(procedure, final=True)
            except WorkflowError as exc:
                raise WorkflowError(_("%(label)s：%(value)s") % {"label": procedure.head_name, "value": exc.message}) from None
    try:
        days = policy_pack_for(unit.code if len(unit.code) >= 6 else procedures[0].village_id, start.year).publicity_days
    except PolicyPackError as exc:
        raise WorkflowError(str(exc)) from None
    announcement = public.type == "announcement"
    end = start if announcement else start + datetime.timedelta(days=days - 1)
    with site_language():
        title = title.strip() or _("%(unit)s%(kind)s%(step)s") % {"unit": unit.name, "kind": Kind(kind).label,
                                                                   "step": public.label}
    batch = PublicityBatch.objects.create(kind=kind, step=step, unit=unit, title=title[:200], start=start, end=end,
                                          created_by=acting_user)
    batch.procedures_listed.add(*procedures)
    for procedure in procedures:
        procedure.batch = batch
        procedure.save(update_fields=["batch"])
        _record(procedure, step, StepRecord.Decision.PUBLISHED, acting_user,
                data={"batch": batch.pk, "start": str(start), "end": str(end)})
    if announcement:
        _finish_batch(batch, acting_user, effective=start)
    return batch


def _finish_batch(batch: PublicityBatch, actor, *, effective: datetime.date) -> None:
    for procedure in batch.procedures.select_for_update().filter(state=Procedure.State.OPEN, step=batch.step).order_by("pk"):
        with site_language():
            note = _("公告") if batch.is_announcement else _("公示期满（%(s)s 至 %(e)s），无异议或异议已处理") % {
                "s": batch.start, "e": batch.end}
        _record(procedure, batch.step, StepRecord.Decision.APPROVED, actor, note=note, data={"batch": batch.pk})
        _advance(procedure, actor, effective=effective)
    batch.closed_at = timezone.now()
    batch.closed_by = actor
    batch.save(update_fields=["closed_at", "closed_by"])


def _locked_batch(user, batch_id: int) -> PublicityBatch:
    return _locked(PublicityBatch, user, batch_id, unit="unit_id")


@transaction.atomic
def batch_close(*, acting_user, batch_id: int) -> PublicityBatch:
    """公示期满: the step completes for every household of the batch still waiting on it."""
    batch = _locked_batch(acting_user, batch_id)
    _require_role(acting_user, step_of(batch.kind, batch.step), batch.unit_id)
    if batch.closed_at is not None:
        raise WorkflowError(_("该公示已由 %(who)s 于 %(when)s 结束。")
                            % {"who": batch.closed_by, "when": timezone.localtime(batch.closed_at).strftime("%Y-%m-%d %H:%M")})
    today = timezone.localdate()
    if today <= batch.end:
        raise WorkflowError(_("公示期为 %(s)s 至 %(e)s，期满后（%(next)s 起）才能进入下一步。")
                            % {"s": batch.start, "e": batch.end, "next": batch.end + datetime.timedelta(days=1)})
    pending = batch.objections.filter(resolution="").select_related("procedure")
    if pending.exists():
        raise WorkflowError(_("以下户有未处理的公示异议，处理后才能结束公示：%(names)s")
                            % {"names": _("、").join(sorted({o.procedure.head_name for o in pending}))})
    _finish_batch(batch, acting_user, effective=today)
    return batch


@transaction.atomic
def objection_record(*, acting_user, batch_id: int, procedure_id: int, received_on: datetime.date,
                     content: str) -> Objection:
    """Record an objection received during the period against one household of the batch."""
    batch = _locked_batch(acting_user, batch_id)
    _require_role(acting_user, step_of(batch.kind, batch.step), batch.unit_id)
    if batch.closed_at is not None or batch.is_announcement:
        raise WorkflowError(_("该公示已结束，不能再登记异议。"))
    if not batch.start <= received_on <= batch.end:
        raise WorkflowError(_("异议应在公示期内（%(s)s 至 %(e)s）收到。") % {"s": batch.start, "e": batch.end})
    if received_on > timezone.localdate():
        raise WorkflowError(_("收到日期不能晚于今天。"))
    content = content.strip()
    if not content:
        raise WorkflowError(_("请填写异议内容。"))
    procedure = batch.procedures.select_for_update().filter(pk=procedure_id, state=Procedure.State.OPEN,
                                                           step=batch.step).first()
    if procedure is None:
        raise WorkflowError(_("该户不在本次公示中，或已办结。"))
    return Objection.objects.create(batch=batch, procedure=procedure, received_on=received_on, content=content,
                                    recorded_by=acting_user)


@transaction.atomic
def objection_resolve(*, acting_user, objection_id: int, upheld: bool, note: str) -> Objection:
    """处理异议: upheld ends the household's procedure; dismissed lets it go on when the period ends."""
    try:
        objection = Objection.objects.select_for_update().select_related("batch").get(pk=objection_id)
    except Objection.DoesNotExist:
        raise Http404("no such objection") from None
    batch = _locked_batch(acting_user, objection.batch_id)
    _require_role(acting_user, step_of(batch.kind, batch.step), batch.unit_id)
    if objection.resolution:
        raise WorkflowError(_("该异议已由 %(who)s 处理。") % {"who": objection.resolved_by})
    note = note.strip()
    if not note:
        raise WorkflowError(_("请填写核实情况。"))
    objection.resolution = Objection.Resolution.UPHELD if upheld else Objection.Resolution.DISMISSED
    objection.resolution_note = note
    objection.resolved_by = acting_user
    objection.resolved_at = timezone.now()
    objection.save(update_fields=["resolution", "resolution_note", "resolved_by", "resolved_at"])
    if upheld:
        procedure = Procedure.objects.select_for_update().get(pk=objection.procedure_id)
        if procedure.state == Procedure.State.OPEN:
            with site_language():
                record_note = _("公示异议成立：%(c)s；核实情况：%(n)s") % {"c": objection.content, "n": note}
                reason = _("公示异议成立：%(n)s") % {"n": note}
            _record(procedure, procedure.step, StepRecord.Decision.REJECTED, acting_user, note=record_note)
            _close(procedure, Procedure.State.REJECTED, reason=reason)
    return objection
