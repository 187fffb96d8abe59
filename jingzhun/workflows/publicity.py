"""Writes of the 公示/公告 steps: publishing a batch of procedures, closing it, objections, photos of the
posted notice.

The same rules as services.py hold: one transaction, rows locked before their state is read, role and
scope checked, a WorkflowError with a Chinese message having changed nothing.

The period is real time, not a date typed in: it starts no earlier than the day it is published (a
notice cannot be put up in the past) nor before the day each household reached the step, never while
an earlier 公示 of the same household still runs, lasts the policy pack's `publicity_days`, and
公示期满 is possible only once its last day is over (`period_bounds`, `batch_close`).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from jingzhun.accounts.audit import audit_record
from jingzhun.accounts.models import AuditEvent
from jingzhun.orgunits.access import access_for
from jingzhun.orgunits.permissions import OutOfReach
from jingzhun.policy import PolicyPackError, policy_pack_for

from . import clock
from .common import WorkflowError, close, locked, policy_failure, record, require_role, site_language
from .definitions import PUBLIC_TYPES, Kind, Step, step_of
from .models import NoticePhoto, Objection, Procedure, PublicityBatch, StepRecord
from .photos import PHOTOS_PER_NOTICE, photo_check
from .services import advance, check_exit

#: How far ahead a notice may be published to start (it is put up now, the period begins later).
LEAD_DAYS = 30


def _publicity_step(kind: str, step_code: str) -> Step:
    try:
        step = step_of(kind, step_code)
    except KeyError:
        raise WorkflowError(_("没有这个公示步骤。")) from None
    if step.type not in PUBLIC_TYPES:
        raise WorkflowError(_("“%(step)s”不是公示或公告步骤。") % {"step": step.label})
    return step


# --- When a period may start and end ---------------------------------------------------------------

@dataclass(frozen=True)
class Bound:
    """The first day a new 公示 of one household may start, and why (words for the page and the refusal)."""

    day: datetime.date
    why: str


def procedure_bounds(procedure: Procedure) -> list[Bound]:
    """The days a new 公示 of `procedure` may not start before: the day its previous step was taken, the
    day after each earlier 公示 of it ended (periods of one procedure never overlap)."""
    bounds = []
    last = (procedure.records.filter(decision__in=(StepRecord.Decision.APPLIED, StepRecord.Decision.APPROVED))
            .order_by("-at", "-id").first())
    if last is not None:
        day = timezone.localdate(last.at)
        bounds.append(Bound(day, _("%(name)s 的上一步“%(step)s”于 %(d)s 办理")
                            % {"name": procedure.head_name, "step": last.step_label, "d": day}))
    for batch in procedure.batches.all():
        if not batch.is_announcement:
            bounds.append(Bound(batch.end + datetime.timedelta(days=1),
                                _("%(name)s 的“%(step)s”公示期至 %(e)s")
                                % {"name": procedure.head_name, "step": batch.step_label, "e": batch.end}))
    return bounds


def earliest_start(procedures, *, today: datetime.date | None = None) -> datetime.date:
    """The first day a 公示 of all `procedures` may start: today at the earliest."""
    today = today or clock.today()
    return max([today, *(b.day for p in procedures for b in procedure_bounds(p))])


def publicity_days(unit_code: str, village_code: str, year: int, kind: str = "") -> int:
    """The pack's 公示期 (days) for a notice of `unit_code` (a township's: its first village's county); the
    monitoring procedures' 村级公示 lasts the pack's `monitoring.limits.publicity_days` (at least 5)."""
    try:
        pack = policy_pack_for(unit_code if len(unit_code) >= 6 else village_code, year)
    except PolicyPackError as exc:
        raise policy_failure(exc) from None
    if kind in (Kind.MONITORING_ENTRY, Kind.RISK_ELIMINATION) and pack.monitoring is not None:
        return pack.monitoring.publicity_days
    return pack.publicity_days


def period_due(batch: PublicityBatch) -> datetime.date:
    """公示期满日: the first day after the period, from which 公示期满 may be confirmed."""
    return batch.end + datetime.timedelta(days=1)


def _check_start(public: Step, procedures: list[Procedure], start: datetime.date, today: datetime.date) -> None:
    if public.type == "announcement":
        if start != today:
            raise WorkflowError(_("公告于发布当天生效，日期应为今天（%(d)s）。") % {"d": today})
        return
    if start < today:
        raise WorkflowError(_("公示开始日期不能早于发布当天（%(d)s）：公示期从张贴公示之日起算，不能补记以前的日期。")
                            % {"d": today})
    latest = today + datetime.timedelta(days=LEAD_DAYS)
    if start > latest:
        raise WorkflowError(_("公示开始日期不能晚于 %(d)s（发布后 %(n)s 天内）。") % {"d": latest, "n": LEAD_DAYS})
    for procedure in procedures:
        for bound in procedure_bounds(procedure):
            if start < bound.day:
                raise WorkflowError(_("%(why)s，本次公示最早 %(d)s 开始。") % {"why": bound.why, "d": bound.day})


# --- Publishing and closing ------------------------------------------------------------------------------

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
    require_role(acting_user, public, unit.code)
    if not procedure_ids:
        raise WorkflowError(_("请至少选择一户。"))
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
    _check_start(public, procedures, start, clock.today())
    for procedure in procedures:
        if procedure.kind == Kind.EXIT:
            try:
                check_exit(procedure, final=True)
            except WorkflowError as exc:
                raise WorkflowError(_("%(label)s：%(value)s") % {"label": procedure.head_name, "value": exc.message}) from None
    announcement = public.type == "announcement"
    days = publicity_days(unit.code, procedures[0].village_id, start.year, kind)
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
        record(procedure, step, StepRecord.Decision.PUBLISHED, acting_user,
               data={"batch": batch.pk, "start": str(start), "end": str(end)})
    if announcement:
        _finish_batch(batch, acting_user, effective=start)
    return batch


def _finish_batch(batch: PublicityBatch, actor, *, effective: datetime.date) -> None:
    for procedure in batch.procedures.select_for_update().filter(state=Procedure.State.OPEN, step=batch.step).order_by("pk"):
        with site_language():
            note = _("公告") if batch.is_announcement else _("公示期满（%(s)s 至 %(e)s），无异议或异议已处理") % {
                "s": batch.start, "e": batch.end}
        record(procedure, batch.step, StepRecord.Decision.APPROVED, actor, note=note, data={"batch": batch.pk})
        advance(procedure, actor, effective=effective)
    batch.closed_at = clock.now()
    batch.closed_by = actor
    batch.save(update_fields=["closed_at", "closed_by"])


def _locked_batch(user, batch_id: int) -> PublicityBatch:
    return locked(PublicityBatch, user, batch_id, unit="unit_id")


def batch_close_refusal(batch: PublicityBatch, *, today: datetime.date | None = None) -> str | None:
    """Why 公示期满 cannot be confirmed for `batch` today (None: it can). The service refuses with it and
    the batch page offers the button only when it is None."""
    today = today or clock.today()
    if batch.closed_at is not None:
        return (_("该公示已由 %(who)s 于 %(when)s 结束。")
                % {"who": batch.closed_by, "when": timezone.localtime(batch.closed_at).strftime("%Y-%m-%d %H:%M")})
    if today < period_due(batch):
        return (_("公示期为 %(s)s 至 %(e)s，公示期满日为 %(due)s，届时才能确认公示期满。")
                % {"s": batch.start, "e": batch.end, "due": period_due(batch)})
    pending = batch.objections.filter(resolution="").select_related("procedure")
    if pending.exists():
        return (_("以下户有未处理的公示异议，处理后才能结束公示：%(names)s")
                % {"names": _("、").join(sorted({o.procedure.head_name for o in pending}))})
    return None


@transaction.atomic
def batch_close(*, acting_user, batch_id: int) -> PublicityBatch:
    """公示期满: the step completes for every household of the batch still waiting on it."""
    batch = _locked_batch(acting_user, batch_id)
    require_role(acting_user, step_of(batch.kind, batch.step), batch.unit_id)
    refusal = batch_close_refusal(batch)
    if refusal:
        raise WorkflowError(refusal)
    _finish_batch(batch, acting_user, effective=clock.today())
    return batch


# --- Objections ------------------------------------------------------------------------------------------

@transaction.atomic
def objection_record(*, acting_user, batch_id: int, procedure_id: int, received_on: datetime.date,
                     content: str) -> Objection:
    """Record an objection received during the period against one household of the batch."""
    batch = _locked_batch(acting_user, batch_id)
    require_role(acting_user, step_of(batch.kind, batch.step), batch.unit_id)
    if batch.closed_at is not None or batch.is_announcement:
        raise WorkflowError(_("该公示已结束，不能再登记异议。"))
    if not batch.start <= received_on <= batch.end:
        raise WorkflowError(_("异议应在公示期内（%(s)s 至 %(e)s）收到。") % {"s": batch.start, "e": batch.end})
    if received_on > clock.today():
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
    require_role(acting_user, step_of(batch.kind, batch.step), batch.unit_id)
    if objection.resolution:
        raise WorkflowError(_("该异议已由 %(who)s 处理。") % {"who": objection.resolved_by})
    note = note.strip()
    if not note:
        raise WorkflowError(_("请填写核实情况。"))
    objection.resolution = Objection.Resolution.UPHELD if upheld else Objection.Resolution.DISMISSED
    objection.resolution_note = note
    objection.resolved_by = acting_user
    objection.resolved_at = clock.now()
    objection.save(update_fields=["resolution", "resolution_note", "resolved_by", "resolved_at"])
    if upheld:
        procedure = Procedure.objects.select_for_update().get(pk=objection.procedure_id)
        if procedure.state == Procedure.State.OPEN:
            with site_language():
                record_note = _("公示异议成立：%(c)s；核实情况：%(n)s") % {"c": objection.content, "n": note}
                reason = _("公示异议成立：%(n)s") % {"n": note}
            record(procedure, procedure.step, StepRecord.Decision.REJECTED, acting_user, note=record_note)
            close(procedure, Procedure.State.REJECTED, reason=reason)
    return objection


# --- Photos of the posted notice ------------------------------------------------------------------------

@transaction.atomic
def notice_photo_add(*, acting_user, batch_id: int, upload, ip: str | None = None) -> NoticePhoto:
    """Attach a photograph of the posted notice to its batch (evidence that it was put up), with an audit
    row carrying the file's digest. Refused: anything but a JPEG, PNG or WebP photo within the limits."""
    batch = _locked_batch(acting_user, batch_id)
    require_role(acting_user, step_of(batch.kind, batch.step), batch.unit_id)
    if batch.photos.count() >= PHOTOS_PER_NOTICE:
        raise WorkflowError(_("每次公示最多上传 %(n)s 张照片。") % {"n": PHOTOS_PER_NOTICE})
    info = photo_check(upload)
    name = (upload.name or "photo")[:255]
    photo = NoticePhoto(batch=batch, name=name, content_type=info.content_type, size=info.size, width=info.width,
                        height=info.height, sha256=info.sha256, uploaded_by=acting_user)
    photo.image.save(f"photo{info.suffix}", upload, save=False)
    try:
        photo.save()
        audit_record(action=AuditEvent.Action.UPLOAD, actor=acting_user, target=batch.title, ip=ip,
                     detail={"what": "notice_photo", "batch": batch.pk, "photo": photo.pk, "file": name,
                             "size": info.size, "sha256": info.sha256})
    except BaseException:
        photo.image.delete(save=False)  # the rows roll back: the file must not stay behind
        raise
    return photo
