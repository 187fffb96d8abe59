"""Pages of the ledger (整改台账): the list, an item's page with the forms of its flow, the hand entry of an
item, an evidence download and the overdue list (逾期清单) per responsible unit.

Reads go through the selectors (an item out of reach is a 404); every write is a service of
`services.items`, whose checks also decide which forms the item's page shows (`_actions`). The deadline
colour is `Item.timing` with the county's policy pack's warning days.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import F, Q
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from jingzhun import cells
from jingzhun.accounts.audit import audit, client_ip
from jingzhun.accounts.models import AuditEvent
from jingzhun.listing import CONTROL_VARS, Column, Listing, error_page, form_problems
from jingzhun.orgunits.access import access_for
from jingzhun.orgunits.models import Level, OrgUnit
from jingzhun.orgunits.permissions import (
    may_handle_ledger_items,
    may_manage_ledger,
    may_read_ledger,
    reach_code,
    require,
)
from jingzhun.orgunits.selectors import unit_label
from jingzhun.workflows.common import attempt

from ..forms import AssignForm, CountyForm, ItemFilterForm, ItemForm, ProgressForm, ReopenForm, ReportForm, ReviewForm
from ..models import Item, ItemEvent
from ..selectors import acts_for, agencies_for, batches_for, item_get, items_for
from ..selectors import warning_days as pack_warning_days
from ..selectors.events import event_get
from ..services import items as services
from ..services.items import LedgerError, unresolved
from .gather import gathered_context
from ..vocab import OPEN_STATES, ItemKind, ItemState, Timing

#: Content types of the evidence suffixes the upload check stores (never sniffed at download).
EVIDENCE_TYPES = {".pdf": "application/pdf", ".jpg": "image/jpeg", ".png": "image/png"}
#: States in which an item is with its 责任单位 (assigned and not yet closed): what the overdue list counts.
WITH_UNIT = (ItemState.ASSIGNED, ItemState.DOING, ItemState.REPORTED)
_READ_REFUSED = _("督查督办台账不对帮扶责任人和驻村工作队开放。")


def warning_days(county: str, today: datetime.date, cache: dict | None = None) -> int:
    """临期 days of the county's policy pack this year (7 when the pack cannot be read: the page still shows)."""
    if cache is not None and county in cache:
        return cache[county]
    days = pack_warning_days(county, today.year)
    if cache is not None:
        cache[county] = days
    return days


def timing_q(timing: str, counties, today: datetime.date) -> Q:
    """The items of one deadline colour, as a filter (the rule of `Item.timing`, per county's warning days)."""
    open_ = Q(state__in=OPEN_STATES, deadline__isnull=False)
    closed = Q(state=ItemState.CLOSED, deadline__isnull=False, closed_on__isnull=False)
    if timing == Timing.NO_DEADLINE:
        return Q(deadline__isnull=True)
    if timing == Timing.OVERDUE:
        return open_ & Q(deadline__lt=today)
    if timing == Timing.CLOSED_ON_TIME:
        return closed & Q(closed_on__lte=F("deadline"))
    if timing == Timing.CLOSED_LATE:
        return (Q(state=ItemState.CLOSED, deadline__isnull=False)
                & (Q(closed_on__gt=F("deadline")) | Q(closed_on__isnull=True)))
    cache: dict = {}
    soon = Q(pk__in=[])
    later = Q(pk__in=[])
    for county in counties:
        edge = today + datetime.timedelta(days=warning_days(county, today, cache))
        soon |= Q(county_id=county, deadline__gte=today, deadline__lte=edge)
        later |= Q(county_id=county, deadline__gt=edge)
    return open_ & (soon if timing == Timing.DUE_SOON else later)


@dataclass
class Row:
    """An item as a list row: its colour and days left."""

    item: Item
    timing: str
    days: int | None

    @property
    def timing_label(self) -> str:
        return Timing(self.timing).label

    @property
    def days_text(self) -> str:
        return days_text(self.days)


def days_text(days: int | None) -> str:
    if days is None:
        return ""
    if days < 0:
        return _("逾期 %(n)d 天") % {"n": -days}
    return _("剩 %(n)d 天") % {"n": days}


def rows_of(items, today: datetime.date) -> list[Row]:
    cache: dict = {}
    return [Row(i, i.timing(today, warning_days(i.county_id, today, cache)), i.days_left(today)) for i in items]


# --- the list ------------------------------------------------------------------------------------------

def _columns() -> list[Column]:
    return [Column(_("序号"), "number", num=True), Column(_("问题（任务）"), "title"), Column(_("方面"), "aspect"),
            Column(_("台账类别"), "kind"), Column(_("责任单位"), "agency", ("agency__name",)),
            Column(_("整改时限"), "deadline"), Column(_("时限情况")), Column(_("状态"), "state"),
            Column(_("完成进度（%）"), "percent", num=True)]


@login_required
def item_list(request):
    access = access_for(request.user)
    require(may_read_ledger(access), _READ_REFUSED)
    items = items_for(access)
    aspects = sorted({a for a in items.values_list("aspect", flat=True).distinct() if a})
    form = ItemFilterForm(request.GET or None, batches=batches_for(access), agencies=agencies_for(access),
                          aspects=aspects)
    filtered = bool(form.data.keys() - CONTROL_VARS)
    if filtered and not form.is_valid():
        return error_page(request, title=_("筛选条件有误"), problems=form_problems(form),
                          back=reverse("supervision:item_list"))
    data = form.cleaned_data if filtered else {}
    today = timezone.localdate()
    if data.get("batch"):
        items = items.filter(batch_id=data["batch"])
    if data.get("agency"):
        items = items.filter(agency_id=data["agency"])
    for name in ("kind", "source", "state", "aspect"):
        if data.get(name):
            items = items.filter(**{name: data[name]})
    if data.get("q"):
        words = data["q"].strip()
        items = items.filter(Q(title__icontains=words) | Q(detail__icontains=words) | Q(responsible__icontains=words))
    if data.get("timing"):
        counties = items.values_list("county_id", flat=True).distinct()
        items = items.filter(timing_q(data["timing"], list(counties), today))
    items = items.select_related("agency", "batch")
    listing = Listing(request.GET, items, _columns(), default_sort="deadline",
                      tiebreak=("county_id", "batch_id", "number", "pk"), title=_("整改台账"),
                      unit=unit_label(request.user), exportable=True)
    if listing.exporting:
        return listing.export_refusal(request) or _items_xlsx(request, listing, today)
    listing.chips_from_form(form)
    if listing.printing:
        audit(request, AuditEvent.Action.DOWNLOAD, listing.title, count=len(listing.page.object_list),
              what="ledger_list_print", filter=listing.filter_query)
    return render(request, "supervision/item_list.html", {
        "form": form, "listing": listing, "page": listing.page, "rows": rows_of(listing.page.object_list, today),
        "can_manage": may_manage_ledger(access)})


def _items_xlsx(request, listing: Listing, today: datetime.date):
    columns = [cells.SheetColumn(title, kind) for title, kind in (
        (_("交办批次"), cells.TEXT), (_("序号"), cells.INT), (_("方面"), cells.TEXT), (_("台账类别"), cells.TEXT),
        (_("问题来源"), cells.TEXT), (_("问题（任务）"), cells.TEXT), (_("牵头单位"), cells.TEXT),
        (_("责任单位"), cells.TEXT), (_("责任人"), cells.TEXT), (_("整改措施"), cells.TEXT),
        (_("整改时限"), cells.DATE), (_("状态"), cells.TEXT), (_("时限情况"), cells.TEXT), (_("剩余天数"), cells.INT),
        (_("完成进度（%）"), cells.INT), (_("销号日期"), cells.DATE))]
    cache: dict = {}
    rows = ((i.batch.name if i.batch_id else "", i.number, i.aspect, i.get_kind_display(), i.get_source_display(),
             i.title, i.lead_agency.name if i.lead_agency_id else "", i.agency.name if i.agency_id else "",
             i.responsible, i.measures, i.deadline, i.get_state_display(),
             str(Timing(i.timing(today, warning_days(i.county_id, today, cache))).label), i.days_left(today),
             i.percent, i.closed_on)
            for i in listing.rows.select_related("lead_agency").iterator())
    name = f"{_('整改台账')}-{access_for(request.user).prefix or _('全国')}-{today:%Y%m%d}.xlsx"
    response, count = cells.xlsx_response(name, _("整改台账"), columns, rows)
    audit(request, AuditEvent.Action.EXPORT, name, count=count, what="ledger_items", filter=listing.filter_query,
          format="xlsx", source="web")
    return response


# --- an item and its flow -----------------------------------------------------------------------------------

@dataclass
class Actions:
    """Which of the flow's forms the item's page shows (exactly those its services would allow)."""

    assign: bool = False
    sign: bool = False
    progress: bool = False
    report: bool = False
    review: bool = False
    reopen: bool = False


def _actions(user, item: Item) -> Actions:
    access = access_for(user)
    manages = may_manage_ledger(access) and access.reaches_code(item.county_id)
    handles = may_handle_ledger_items(access) and acts_for(user, item)
    return Actions(
        assign=manages and item.state in (ItemState.DRAFT, ItemState.ASSIGNED),
        sign=handles and item.state == ItemState.ASSIGNED,
        progress=handles and item.state == ItemState.DOING,
        report=handles and item.state == ItemState.DOING,
        review=manages and item.state == ItemState.REPORTED and item.reported_by_id != user.pk,
        reopen=manages and item.state == ItemState.CLOSED)


def _county_agencies(user, item: Item):
    return agencies_for(user).filter(county_id=item.county_id, active=True)


def _item_page(request, item: Item, *, status: int = 200, **bound):
    today = timezone.localdate()
    actions = _actions(request.user, item)
    agencies = _county_agencies(request.user, item)
    initial = {"agency": item.agency_id, "responsible": item.responsible, "measures": item.measures,
               "deadline": item.deadline}
    shown = {"assign": bound.get("assign") or AssignForm(initial=initial, agencies=agencies),
             "progress": bound.get("progress") or ProgressForm(), "report": bound.get("report") or ReportForm(),
             "review": bound.get("review") or ReviewForm(), "reopen": bound.get("reopen") or ReopenForm()}
    for name, form in shown.items():
        form.auto_id = f"{name}_%s"  # the forms share one page: their ids must differ
    if item.kind == ItemKind.PROBLEM:
        shown["progress"].fields.pop("percent", None)
    problems, leads = unresolved(item)
    return render(request, "supervision/item_detail.html", {
        "item": item, "row": rows_of([item], today)[0], "actions": actions, "forms": shown,
        "events": item.events.select_related("actor").order_by("at", "pk"),
        "problem_count": item.problems.count(), "lead_count": item.leads.count(),
        "problems_open": problems, "leads_open": leads, "milestones": item.milestones.all(),
        "affected": item.affected_units.order_by("code"), "gathered": gathered_context(request.user, item)},
        status=status)


@login_required
def item_detail(request, item_id: int):
    require(may_read_ledger(request.user), _READ_REFUSED)
    return _item_page(request, item_get(request.user, item_id))


def _back(item: Item):
    return redirect("supervision:item_detail", item_id=item.pk)


def _post_step(request, item_id: int, form_name: str, make_form, call, success):
    """The shape of every step: reach first (404), then the form, then the service; a refusal or a
    LedgerError re-shows the page with the message and changes nothing."""
    require(may_read_ledger(request.user), _READ_REFUSED)
    item = item_get(request.user, item_id)
    if request.method != "POST":
        return _back(item)
    form = make_form(item)
    if not form.is_valid():
        messages.error(request, _("请按提示修改后再提交。"))
        return _item_page(request, item, status=400, **{form_name: form})
    ok, _result = attempt(request, lambda: call(item, form.cleaned_data), success, errors=LedgerError)
    if not ok:
        return _item_page(request, item_get(request.user, item_id), status=400, **{form_name: form})
    return _back(item)


@login_required
@require_http_methods(["GET", "POST"])
def item_assign(request, item_id: int):
    return _post_step(
        request, item_id, "assign",
        lambda item: AssignForm(request.POST, agencies=_county_agencies(request.user, item)),
        lambda item, d: services.item_assign(acting_user=request.user, item_id=item.pk, agency_id=d["agency"],
                                             responsible=d["responsible"], measures=d["measures"],
                                             deadline=d["deadline"], note=d["note"]),
        _("已交办。"))


@login_required
@require_http_methods(["GET", "POST"])
def item_sign(request, item_id: int):
    return _post_step(request, item_id, "sign", lambda item: forms.Form(request.POST),
                      lambda item, d: services.item_sign(acting_user=request.user, item_id=item.pk), _("已签收。"))


@login_required
@require_http_methods(["GET", "POST"])
def item_progress(request, item_id: int):
    return _post_step(
        request, item_id, "progress", lambda item: ProgressForm(request.POST, request.FILES),
        lambda item, d: services.item_progress(
            acting_user=request.user, item_id=item.pk, note=d["note"],
            percent=d.get("percent") if item.kind != ItemKind.PROBLEM else None,
            upload=d.get("evidence"), ip=client_ip(request)),
        _("已报送进展。"))


@login_required
@require_http_methods(["GET", "POST"])
def item_report(request, item_id: int):
    return _post_step(
        request, item_id, "report", lambda item: ReportForm(request.POST, request.FILES),
        lambda item, d: services.item_report(acting_user=request.user, item_id=item.pk, note=d["note"],
                                             upload=d.get("evidence"), ip=client_ip(request)),
        _("已报告办结，等待复核。"))


@login_required
@require_http_methods(["GET", "POST"])
def item_review(request, item_id: int):
    return _post_step(
        request, item_id, "review", lambda item: ReviewForm(request.POST),
        lambda item, d: services.item_review(acting_user=request.user, item_id=item.pk,
                                             passed=d["decision"] == "pass", note=d["note"]),
        lambda item: _("复核通过，已销号。") if item.state == ItemState.CLOSED else _("已退回责任单位继续整改。"))


@login_required
@require_http_methods(["GET", "POST"])
def item_reopen(request, item_id: int):
    return _post_step(
        request, item_id, "reopen", lambda item: ReopenForm(request.POST),
        lambda item, d: services.item_reopen(acting_user=request.user, item_id=item.pk, reason=d["reason"]),
        _("已重新整改。"))


@login_required
def item_evidence(request, event_id: int):
    """An event's 佐证材料, typed by the suffix its content check stored, audited."""
    require(may_read_ledger(request.user), _READ_REFUSED)
    event: ItemEvent = event_get(request.user, event_id)
    if not event.evidence:
        raise Http404("no file")
    suffix = "." + event.evidence.name.rsplit(".", 1)[-1].lower() if "." in event.evidence.name else ""
    if suffix not in EVIDENCE_TYPES:
        raise Http404("unknown kind")
    audit(request, AuditEvent.Action.DOWNLOAD, event.evidence_name, count=1, what="ledger_evidence",
          item=event.item_id, event=event.pk)
    kind = EVIDENCE_TYPES[suffix]
    # a photo inline (a key project's gallery shows it as a thumbnail), a PDF as a download; the type is the one
    # the upload's content check decided, never sniffed
    response = FileResponse(event.evidence.open("rb"), as_attachment=not kind.startswith("image/"),
                            filename=event.evidence_name or f"evidence{suffix}", content_type=kind)
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- registering an item by hand ------------------------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def item_new(request):
    access = access_for(request.user)
    require(may_manage_ledger(access), _("只有县级管理员可以登记、交办、复核和销号台账事项。"))
    county = access.prefix[:6] if len(access.prefix) >= 6 else ""
    if not county:  # above a county: which county's ledger first
        picker = CountyForm(request.GET or None)
        if not (request.GET and picker.is_valid()):
            return render(request, "supervision/county_pick.html", {"form": picker, "title": _("登记台账事项")})
        county = picker.cleaned_data["county"]
        reach_code(access, county)
        if not OrgUnit.objects.filter(code=county, level=Level.COUNTY).exists():
            picker.add_error("county", _("没有这个县。"))
            return render(request, "supervision/county_pick.html", {"form": picker, "title": _("登记台账事项")})
    form = ItemForm(request.POST or None, batches=batches_for(access).filter(county_id=county),
                    agencies=agencies_for(access).filter(county_id=county, active=True))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        batch = batches_for(access).filter(pk=d["batch"]).first() if d["batch"] else None
        ok, item = attempt(request, lambda: services.item_create(
            acting_user=request.user, county=county, title=d["title"], source=d["source"], kind=d["kind"],
            batch=batch, number=d["number"] or 0, aspect=d["aspect"], detail=d["detail"], agency_id=d["agency"],
            lead_agency_id=d["lead_agency"], responsible=d["responsible"], measures=d["measures"],
            deadline=d["deadline"], investment=d["investment"]), _("已登记。"), form=form, errors=LedgerError)
        if ok:
            return redirect("supervision:item_detail", item_id=item.pk)
    return render(request, "supervision/item_form.html", {
        "form": form, "county": OrgUnit.objects.filter(code=county).first()}, status=400 if form.errors else 200)


# --- 逾期清单 ---------------------------------------------------------------------------------------------------

@dataclass
class UnitDue:
    """One 责任单位's open items that are overdue or due soon."""

    name: str
    overdue: list[Row] = field(default_factory=list)
    soon: list[Row] = field(default_factory=list)

    @property
    def oldest(self) -> int:
        return max((-r.days for r in self.overdue), default=0)


@login_required
def overdue(request):
    """逾期清单: per 责任单位, its open items overdue and due within the warning days, worst first."""
    access = access_for(request.user)
    require(may_read_ledger(access), _READ_REFUSED)
    today = timezone.localdate()
    items = (items_for(access).filter(state__in=WITH_UNIT, deadline__isnull=False, agency__isnull=False)
             .select_related("agency", "batch").order_by("deadline", "pk"))
    units: dict[int, UnitDue] = {}
    for row in rows_of(items, today):
        if row.timing not in (Timing.OVERDUE, Timing.DUE_SOON):
            continue
        unit = units.setdefault(row.item.agency_id, UnitDue(row.item.agency.name))
        (unit.overdue if row.timing == Timing.OVERDUE else unit.soon).append(row)
    table = sorted(units.values(), key=lambda u: (-len(u.overdue), -u.oldest, -len(u.soon), u.name))
    printing = request.GET.get("print") == "1"
    if printing:
        audit(request, AuditEvent.Action.DOWNLOAD, _("逾期清单"), count=sum(len(u.overdue) + len(u.soon) for u in table),
              what="ledger_overdue_print")
    return render(request, "supervision/overdue.html", {
        "units": table, "today": today, "printing": printing, "unit": unit_label(request.user),
        "total_overdue": sum(len(u.overdue) for u in table), "total_soon": sum(len(u.soon) for u in table)})
