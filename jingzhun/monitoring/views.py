"""Pages of the lead queue: the public report page, 村级排查, the queue, a lead's page and its actions.

Every read goes through `selectors.leads_for` (a lead out of reach is a 404); writes go through the
services; ID and phone numbers are masked for the roles that must not see them (`Access`).
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from jingzhun import cells
from jingzhun.accounts.audit import audit, client_ip
from jingzhun.accounts.models import AuditEvent
from jingzhun.listing import Column, Listing
from jingzhun.orgunits.access import access_for
from jingzhun.orgunits.models import Level, OrgUnit, subtree_q
from jingzhun.orgunits.permissions import (
    get_in_reach,
    may_record_lead,
    may_route_lead,
    may_verify_lead,
    require,
)
from jingzhun.orgunits.selectors import unit_label
from jingzhun.policy import PolicyPackError
from jingzhun.registry.models import Household
from jingzhun.workflows.common import attempt
from jingzhun.workflows.definitions import Kind
from jingzhun.workflows.models import Procedure
from jingzhun.workflows.monitoring_procedures import monitoring_entry_refusal

from . import selectors, services
from .forms import (
    EvidenceForm,
    LeadFilterForm,
    PublicReportForm,
    RouteForm,
    VerifyForm,
    VillageCheckForm,
)
from .models import Lead, LeadEvent, LeadEvidence
from .services import LeadError
from .standards import standards_for
from .vocab import Channel, Status

# --- 农户自主申报: the public page ------------------------------------------------------------------------

@require_http_methods(["GET", "POST"])
def report(request, county: str):
    """The public report page of a county (no sign-in): a form, then the 受理编号 once, and nothing else.

    The answer is the same whether or not the person is in the registry, and whether or not someone
    reported before: only a new reference number."""
    unit = get_object_or_404(OrgUnit, code=county, level=Level.COUNTY)
    form = PublicReportForm(request.POST or None, county=unit)
    reference = ""
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            reference = services.lead_report_public(
                county=unit, village_code=data["village"], risk_type=data["risk_type"], name=data["name"],
                phone=data["phone"], id_number=data["id_number"], description=data["description"],
                client_ip=client_ip(request)).reference
        except LeadError as exc:
            form.add_error(None, exc.message)
    response = render(request, "monitoring/report.html", {"county": unit, "form": form, "reference": reference})
    add_never_cache_headers(response)  # the reference number is shown once, never from a cache
    return response


# --- 村级排查 ------------------------------------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def lead_new(request):
    access = access_for(request.user)
    require(may_record_lead(access), _("你的角色不能登记线索。"))
    form = VillageCheckForm(request.POST or None, root=access.prefix)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        household = None
        if data["household"]:
            household = get_in_reach(Household.objects.filter(access.household_q()), code=data["household"])
        try:
            lead = services.lead_create(
                channel=Channel.VILLAGE_CHECK, village=data["village"], risk_type=data["risk_type"],
                description=data["description"], household=household, name=data["name"],
                id_number=data["id_number"], phone=data["phone"], acting_user=request.user,
                client_ip=client_ip(request))
        except LeadError as exc:
            form.add_error(None, exc.message)
        else:
            if lead.merged:
                messages.info(request, _("该户同一风险类型已有待核实的线索，本次报告已并入（第 %(n)d 次报告）。")
                              % {"n": lead.reports})
            else:
                messages.success(request, _("已登记线索。"))
            if selectors.leads_for(request.user).filter(pk=lead.pk).exists():
                return redirect("monitoring:lead_detail", lead_id=lead.pk)
            return redirect("monitoring:lead_new")
    return render(request, "monitoring/lead_new.html", {"form": form})


# --- the queue -----------------------------------------------------------------------------------------

def _columns() -> list[Column]:
    return [Column(_("登记时间"), "created", ("created_at",)), Column(_("来源渠道"), "channel"),
            Column(_("村"), "village", ("village_id",)), Column(_("户主姓名"), "name"),
            Column(_("身份证号")), Column(_("风险类型"), "risk", ("risk_type",)),
            Column(_("报告次数"), "reports", num=True), Column(_("所在单位"), "unit", ("unit_id",)),
            Column(_("状态"), "status"), Column(_("核实期限"), "due", ("verify_due",)), Column(_("核实结果"), "result")]


def _filtered(user, data: dict):
    leads = selectors.leads_for(user)
    if data.get("channel"):
        leads = leads.filter(channel=data["channel"])
    if data.get("status"):
        leads = leads.filter(status=data["status"])
    if data.get("overdue"):
        leads = leads.filter(selectors.overdue_q())
    if data.get("unit"):
        leads = leads.filter(subtree_q("village_id", data["unit"]))  # a code range (a FK has no startswith)
    if data.get("source"):
        leads = selectors.with_source(leads, data["source"])
    return leads


@login_required
def lead_list(request):
    form = LeadFilterForm(request.GET or None)
    data = form.cleaned_data if request.GET and form.is_valid() else {}
    access = access_for(request.user)
    leads = _filtered(request.user, data)
    listing = Listing(request.GET, leads, _columns(), default_sort="due",
                      tiebreak=("id",), title=_("监测线索"), unit=unit_label(request.user, data.get("unit", "")),
                      exportable=True)
    if listing.exporting:
        return listing.export_refusal(request) or _leads_xlsx(request, listing, access)
    listing.chips_from_form(form)
    today = timezone.localdate()
    for lead in listing.page.object_list:
        lead.id_shown = access.mask_id(lead.id_number)
        lead.overdue = lead.status == Status.PENDING and lead.verify_due < today
    if listing.printing:  # a printed list carries ID numbers (masked as on the page): audited like a download
        audit(request, AuditEvent.Action.DOWNLOAD, listing.title, count=len(listing.page.object_list),
              what="lead_list_print", filter=listing.filter_query)
    outcomes = selectors.outcomes(leads)
    speed = selectors.timeliness(request.user, leads)
    return render(request, "monitoring/lead_list.html", {
        "form": form, "listing": listing, "page": listing.page, "outcomes": outcomes, "speed": speed,
        "can_record": may_record_lead(access)})


def _narrative(access, text: str) -> str:
    """困难描述 and 核实说明 tell of illness, disability and hospital bills (a 医保 alert carries the amounts):
    shown to the roles that see full ID numbers (those who verify and decide), withheld from the others."""
    if not text or access.sees_full_ids:
        return text
    return _("（仅办理人员可见）")


def _leads_xlsx(request, listing: Listing, access):
    columns = [cells.SheetColumn(title, kind) for title, kind in (
        (_("编号"), cells.INT), (_("登记时间"), cells.DATETIME), (_("来源渠道"), cells.TEXT), (_("村代码"), cells.TEXT),
        (_("村"), cells.TEXT), (_("户编号"), cells.TEXT), (_("户主姓名"), cells.TEXT), (_("身份证号"), cells.TEXT),
        (_("联系电话"), cells.TEXT), (_("风险类型"), cells.TEXT), (_("困难描述"), cells.TEXT), (_("报告次数"), cells.INT),
        (_("所在单位"), cells.TEXT), (_("状态"), cells.TEXT), (_("核实期限"), cells.DATE), (_("决定期限"), cells.DATE),
        (_("核实结果"), cells.TEXT), (_("核实说明"), cells.TEXT), (_("核实时间"), cells.DATETIME))]
    rows = ((lead.pk, lead.created_at, lead.get_channel_display(), lead.village_id, lead.village.short_name,
             lead.household_id or "", lead.name, access.mask_id(lead.id_number), access.mask_phone(lead.phone),
             lead.get_risk_type_display(), _narrative(access, lead.description), lead.reports, lead.unit.name,
             lead.get_status_display(), lead.verify_due, lead.decide_due, lead.get_result_display(),
             _narrative(access, lead.result_reason), lead.verified_at)
            for lead in listing.rows.iterator(2000))
    name = f"{_('监测线索')}-{access.prefix or _('全国')}-{timezone.localdate():%Y%m%d}.xlsx"
    response, count = cells.xlsx_response(name, _("监测线索"), columns, rows)
    # These files carry ID and phone numbers: every download leaves an audit row.
    audit(request, AuditEvent.Action.EXPORT, name, count=count, what="leads", filter=listing.filter_query,
          masked=not access.sees_full_ids, format="xlsx", source="web")
    return response


# --- one lead --------------------------------------------------------------------------------------------

def _lead_get(user, lead_id: int) -> Lead:
    return get_in_reach(selectors.leads_for(user), pk=lead_id)


def _lead_page(request, lead: Lead, *, verify_form=None, evidence_form=None, route_form=None, status=200):
    access = access_for(request.user)
    today = timezone.localdate()
    lead.id_shown, lead.phone_shown = access.mask_id(lead.id_number), access.mask_phone(lead.phone)
    lead.description_shown = _narrative(access, lead.description)
    lead.reason_shown = _narrative(access, lead.result_reason)
    reports = list(lead.report_rows.select_related("by"))
    for row in reports:
        row.id_shown, row.phone_shown = access.mask_id(row.id_number), access.mask_phone(row.phone)
        row.description_shown = _narrative(access, row.description)
        row.details_shown = row.details if access.sees_full_ids else {}
    events = list(lead.events.select_related("actor"))
    for event in events:  # a 核实 event's note is the 核实说明: withheld like it
        event.note_shown = _narrative(access, event.note) if event.kind == LeadEvent.Kind.VERIFIED else event.note
    pending = lead.status == Status.PENDING
    can_verify = pending and may_verify_lead(access) and lead.unit_id == lead.village_id
    can_route = pending and may_route_lead(access)
    try:
        standards = standards_for(lead.village_id, timezone.localdate(lead.created_at))
    except PolicyPackError:
        standards = None
    return render(request, "monitoring/lead_detail.html", {
        **_next_procedure(request.user, lead),
        "lead": lead, "standards": standards, "reports": reports, "events": events,
        "evidence": lead.evidence.all(), "overdue": pending and lead.verify_due < today,
        "decide_overdue": pending and lead.decide_due < today,
        "can_verify": can_verify, "can_upload": may_verify_lead(access), "can_route": can_route,
        "verify_form": verify_form or VerifyForm(), "evidence_form": evidence_form or EvidenceForm(),
        "route_form": route_form or RouteForm(initial={"unit": lead.village_id}),
    }, status=status)


def _next_procedure(user, lead: Lead) -> dict:
    """After 入户核实 found the household should be 纳入: the 识别纳入 it led to, or the link that opens one
    with the lead's number and day filled in (only for whoever may open it, and only when it can succeed)."""
    if lead.status != Status.VERIFIED or lead.result != Lead.Result.INCLUDE:
        return {}
    procedure = (Procedure.objects.filter(kind=Kind.MONITORING_ENTRY, payload__lead_id=lead.pk)
                 .order_by("-pk").first())
    if procedure is not None:
        return {"entry_procedure": procedure}
    if lead.household_id is None:
        return {"entry_unregistered": True}
    if monitoring_entry_refusal(user, lead.household) is not None:
        return {}
    query = urlencode({"lead": lead.pk, "reported": f"{timezone.localdate(lead.created_at):%Y-%m-%d}"})
    return {"entry_url": f"{reverse('workflows:monitoring_entry_new', args=[lead.household_id])}?{query}"}


@login_required
def lead_detail(request, lead_id: int):
    return _lead_page(request, _lead_get(request.user, lead_id))


@login_required
@require_http_methods(["GET", "POST"])
def lead_verify(request, lead_id: int):
    lead = _lead_get(request.user, lead_id)
    if request.method != "POST":
        return redirect("monitoring:lead_detail", lead_id=lead.pk)
    require(may_verify_lead(request.user), _("线索由所在村的村级信息员入户核实。"))
    form = VerifyForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        ok, _lead = attempt(request, lambda: services.lead_verify(
            lead_id=lead.pk, result=data["result"], reason=data["reason"], evidence=data["letter"],
            acting_user=request.user, ip=client_ip(request)), _("已记录核实结果。"), form=form, errors=LeadError)
        if ok:
            return redirect("monitoring:lead_detail", lead_id=lead.pk)
    return _lead_page(request, lead, verify_form=form)


@login_required
@require_http_methods(["GET", "POST"])
def lead_evidence_new(request, lead_id: int):
    lead = _lead_get(request.user, lead_id)
    if request.method != "POST":
        return redirect("monitoring:lead_detail", lead_id=lead.pk)
    require(may_verify_lead(request.user), _("承诺授权书由所在村的村级信息员上传。"))
    form = EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        ok, _evidence = attempt(request, lambda: services.lead_evidence_add(
            lead_id=lead.pk, upload=form.cleaned_data["letter"], acting_user=request.user, ip=client_ip(request)),
            _("已上传承诺授权书。"), form=form, field="letter", errors=LeadError)
        if ok:
            return redirect("monitoring:lead_detail", lead_id=lead.pk)
    return _lead_page(request, lead, evidence_form=form)


@login_required
@require_http_methods(["GET", "POST"])
def lead_route(request, lead_id: int):
    lead = _lead_get(request.user, lead_id)
    if request.method != "POST":
        return redirect("monitoring:lead_detail", lead_id=lead.pk)
    require(may_route_lead(request.user), _("线索由乡镇或县下发、改派。"))
    form = RouteForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        route = services.lead_push if data["action"] == "push" else services.lead_reassign
        key = "unit_code" if data["action"] == "push" else "village_code"
        ok, _routed = attempt(request, lambda: route(lead_id=lead.pk, acting_user=request.user, note=data["note"],
                                                     ip=client_ip(request), **{key: data["unit"]}),
                              _("已下发。") if data["action"] == "push" else _("已改派。"), form=form, errors=LeadError)
        if ok:
            return redirect("monitoring:lead_detail", lead_id=lead.pk)
    return _lead_page(request, lead, route_form=form)


@login_required
def lead_evidence(request, evidence_id: int):
    """A 承诺授权书 photo, inline, as the content type its check found (never sniffed)."""
    item = get_in_reach(LeadEvidence.objects.filter(lead__in=selectors.leads_for(request.user)), pk=evidence_id)
    audit(request, AuditEvent.Action.DOWNLOAD, f"lead {item.lead_id}", count=1, what="lead_evidence",
          evidence=item.pk)
    response = FileResponse(item.file.open("rb"), content_type=item.content_type)
    response["Content-Disposition"] = f'inline; filename="lead-{item.lead_id}-{item.pk}{Path(item.file.name).suffix}"'
    return response
