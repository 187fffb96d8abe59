"""The ledger item's flow: 登记 → 交办 → 签收 → 办理 (进展) → 办结报告 → 复核 (通过即销号, or 退回) → 重新整改.

Every change locks the item (`select_for_update`: two people pressing 签收 or 复核 at once must not both
pass), checks who may do it, writes an ItemEvent in the same transaction and keeps the model's history.
The county (may_manage_ledger) registers, assigns, reviews and reopens; the staff of the 责任单位
(acts_for) sign, report progress and report done. The reviewer is never the person who reported it done.
An item that gathered data problems or monitoring leads is reported done and closed only once each of
them is fixed or approved as an exception (a lead: verified), so the ledger and the problem list agree.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal
from pathlib import PurePath

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jingzhun.accounts.audit import audit_record
from jingzhun.accounts.models import AuditEvent
from jingzhun.assistance.services.measures import MeasureError, evidence_check
from jingzhun.checks.models import Problem
from jingzhun.monitoring.vocab import Status as LeadStatus
from jingzhun.orgunits.access import access_for
from jingzhun.orgunits.permissions import may_handle_ledger_items, may_manage_ledger, require

from ..models import Agency, Batch, Item, ItemEvent
from ..selectors import acts_for, item_get
from ..vocab import EventKind, ItemKind, ItemState, Source

#: A problem record gathered into an item counts as done in these states.
PROBLEM_DONE = (Problem.Status.FIXED, Problem.Status.EXCEPTION)


class LedgerError(Exception):
    """A ledger write that cannot be done as asked; the message tells the person why and what to do."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _locked(acting_user, item_id: int) -> Item:
    """The item in the user's reach, locked for the rest of the transaction."""
    item_get(acting_user, item_id)  # reach first: out of reach is a 404, never a lock on someone else's row
    return Item.objects.select_for_update().get(pk=item_id)


def _event(item: Item, kind: str, actor, *, note: str = "", percent: int | None = None,
           upload=None, ip: str | None = None) -> ItemEvent:
    event = ItemEvent(item=item, kind=kind, note=note, percent=percent, state_after=item.state, actor=actor)
    if upload is None:
        event.save()
        return event
    try:
        info = evidence_check(upload)
    except MeasureError as error:
        raise LedgerError(error.message) from None
    event.evidence_name = PurePath(upload.name or "evidence").name[:200]
    # Stored under a name of ours with the suffix the content decided (never the person's file name).
    event.evidence.save(f"item{info.suffix}", upload, save=False)
    try:
        event.save()
        audit_record(action=AuditEvent.Action.UPLOAD, actor=actor, target=f"ledger item {item.pk}", ip=ip,
                     detail={"what": "ledger_evidence", "item": item.pk, "event": event.pk,
                             "file": event.evidence_name, "size": info.size, "sha256": info.sha256})
    except BaseException:
        event.evidence.delete(save=False)  # the rows roll back: the file must not stay behind
        raise
    return event


def _require_manager(acting_user, item_or_county: Item | str) -> None:
    county = item_or_county.county_id if isinstance(item_or_county, Item) else item_or_county
    access = access_for(acting_user)
    require(may_manage_ledger(access) and access.reaches_code(county),
            _("只有县级管理员可以登记、交办、复核和销号台账事项。"))


def _require_handler(acting_user, item: Item) -> None:
    require(may_handle_ledger_items(acting_user) and acts_for(acting_user, item),
            _("只有责任单位“%(unit)s”的经办人员可以签收、报送进展和办结报告。")
            % {"unit": item.agency.name if item.agency_id else _("（未指定）")})


def _require_state(item: Item, *states: str) -> None:
    if item.state not in states:
        raise LedgerError(_("该事项当前为“%(state)s”，不能进行此操作；请刷新页面查看最新状态。")
                          % {"state": item.get_state_display()})


def unresolved(item: Item) -> tuple[int, int]:
    """(problems not yet fixed or approved as exceptions, leads not yet decided) gathered into the item."""
    problems = item.problems.exclude(status__in=PROBLEM_DONE).count()
    leads = item.leads.exclude(status=LeadStatus.VERIFIED).count()
    return problems, leads


def _require_resolved(item: Item) -> None:
    problems, leads = unresolved(item)
    if problems or leads:
        raise LedgerError(_("该事项归集的问题数据还有 %(p)d 条未整改（或情况属实未审核通过）、监测线索还有 %(l)d 条未办结；"
                            "全部整改完毕后才能报告办结和销号。") % {"p": problems, "l": leads})


def _agency_in(county: str, agency_id: int | None, what: str) -> Agency | None:
    if agency_id is None:
        return None
    agency = Agency.objects.filter(pk=agency_id, county_id=county, active=True).first()
    if agency is None:
        raise LedgerError(_("%(what)s不是本县在用的单位，请从列表中选择。") % {"what": what})
    return agency


@transaction.atomic
def item_create(*, acting_user, county: str, title: str, source: str = Source.OTHER, kind: str = ItemKind.PROBLEM,
                batch: Batch | None = None, number: int = 0, aspect: str = "", detail: str = "",
                agency_id: int | None = None, lead_agency_id: int | None = None, responsible: str = "",
                measures: str = "", deadline: datetime.date | None = None, affected_units: Iterable[str] = (),
                households: Iterable[str] = (), investment: Decimal | None = None,
                project_id: int | None = None) -> Item:
    """登记: a new item of the county's ledger, not yet assigned (待交办)."""
    _require_manager(acting_user, county)
    if not title.strip():
        raise LedgerError(_("请填写问题（任务）内容。"))
    if source not in Source.values or kind not in ItemKind.values:
        raise LedgerError(_("问题来源或台账类别不在可选范围内。"))
    if batch is not None and batch.county_id != county:
        raise LedgerError(_("交办批次不属于该县。"))
    item = Item.objects.create(
        county_id=county, batch=batch, kind=kind, source=source, number=number, aspect=aspect.strip(),
        title=title.strip(), detail=detail.strip(), agency=_agency_in(county, agency_id, _("责任单位")),
        lead_agency=_agency_in(county, lead_agency_id, _("牵头单位")), responsible=responsible.strip(),
        measures=measures.strip(), deadline=deadline if deadline is not None else (batch.deadline if batch else None),
        investment=investment, project_id=project_id, created_by=acting_user)
    codes = [c for c in affected_units if c.startswith(county)]
    if codes:
        item.affected_units.set(codes)
    homes = [h for h in households if h.startswith(county)]
    if homes:
        item.households.set(homes)
    _event(item, EventKind.CREATE, acting_user)
    return item


@transaction.atomic
def item_assign(*, acting_user, item_id: int, agency_id: int | None = None, lead_agency_id: int | None = None,
                responsible: str | None = None, measures: str | None = None,
                deadline: datetime.date | None = None, note: str = "") -> Item:
    """交办: give the item to its 责任单位 with a deadline (again, to another unit, while not yet signed)."""
    item = _locked(acting_user, item_id)
    _require_manager(acting_user, item)
    _require_state(item, ItemState.DRAFT, ItemState.ASSIGNED)
    if agency_id is not None:
        item.agency = _agency_in(item.county_id, agency_id, _("责任单位"))
    if lead_agency_id is not None:
        item.lead_agency = _agency_in(item.county_id, lead_agency_id, _("牵头单位"))
    if responsible is not None:
        item.responsible = responsible.strip()
    if measures is not None:
        item.measures = measures.strip()
    if deadline is not None:
        item.deadline = deadline
    if item.agency_id is None:
        raise LedgerError(_("请先指定责任单位再交办。"))
    if item.deadline is None:
        raise LedgerError(_("请先填写整改时限再交办。"))
    item.state = ItemState.ASSIGNED
    item.assigned_at = timezone.now()
    item.save()
    _event(item, EventKind.ASSIGN, acting_user, note=note.strip())
    return item


@transaction.atomic
def item_sign(*, acting_user, item_id: int) -> Item:
    """签收: the 责任单位 takes the item on; it is 办理中 from now."""
    item = _locked(acting_user, item_id)
    _require_handler(acting_user, item)
    _require_state(item, ItemState.ASSIGNED)
    item.state = ItemState.DOING
    item.signed_at = timezone.now()
    item.signed_by = acting_user
    item.save()
    _event(item, EventKind.SIGN, acting_user)
    return item


@transaction.atomic
def item_progress(*, acting_user, item_id: int, note: str, percent: int | None = None, upload=None,
                  ip: str | None = None) -> ItemEvent:
    """办理: a progress entry (what was done, optionally the % complete and a PDF or photo as evidence)."""
    item = _locked(acting_user, item_id)
    _require_handler(acting_user, item)
    _require_state(item, ItemState.DOING)
    if not note.strip():
        raise LedgerError(_("请填写本次进展情况。"))
    if percent is not None:
        if not 0 <= percent <= 100:
            raise LedgerError(_("完成进度应在 0 到 100 之间。"))
        item.percent = percent
        item.save(update_fields=["percent", "updated_at"])
    return _event(item, EventKind.PROGRESS, acting_user, note=note.strip(), percent=percent, upload=upload, ip=ip)


@transaction.atomic
def item_report(*, acting_user, item_id: int, note: str, upload=None, ip: str | None = None) -> Item:
    """办结报告: the 责任单位 reports the item done, with what was done; it waits for 复核."""
    item = _locked(acting_user, item_id)
    _require_handler(acting_user, item)
    _require_state(item, ItemState.DOING)
    if not note.strip():
        raise LedgerError(_("请填写办结情况（整改了什么、结果如何）。"))
    _require_resolved(item)
    item.state = ItemState.REPORTED
    item.reported_at = timezone.now()
    item.reported_by = acting_user
    if item.kind != ItemKind.PROBLEM:
        item.percent = 100
    item.save()
    _event(item, EventKind.REPORT, acting_user, note=note.strip(), upload=upload, ip=ip)
    return item


@transaction.atomic
def item_review(*, acting_user, item_id: int, passed: bool, note: str = "",
                today: datetime.date | None = None) -> Item:
    """复核: passed, the item is 销号 today; sent back, it is 办理中 again with the reason."""
    item = _locked(acting_user, item_id)
    _require_manager(acting_user, item)
    _require_state(item, ItemState.REPORTED)
    if item.reported_by_id == acting_user.pk:
        raise LedgerError(_("复核须由报告办结以外的人员进行。"))
    if passed:
        _require_resolved(item)
        item.state = ItemState.CLOSED
        item.closed_on = today or timezone.localdate()
        item.closed_by = acting_user
        item.save()
        _event(item, EventKind.CLOSE, acting_user, note=note.strip())
    else:
        if not note.strip():
            raise LedgerError(_("退回时请写明原因，责任单位据此继续整改。"))
        item.state = ItemState.DOING
        item.save()
        _event(item, EventKind.REVIEW_BACK, acting_user, note=note.strip())
    return item


@transaction.atomic
def item_reopen(*, acting_user, item_id: int, reason: str) -> Item:
    """重新整改: a closed item found not rectified after all is open again, with the reason."""
    item = _locked(acting_user, item_id)
    _require_manager(acting_user, item)
    _require_state(item, ItemState.CLOSED)
    if not reason.strip():
        raise LedgerError(_("请写明重新整改的原因。"))
    item.state = ItemState.DOING
    item.closed_on = None
    item.closed_by = None
    item.reopened += 1
    item.save()
    _event(item, EventKind.REOPEN, acting_user, note=reason.strip())
    return item
