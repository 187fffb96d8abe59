"""Pages of 帮扶措施: the household page's section, a measure's page, entry, change, end, evidence, the list.

Reads go through `selectors.measures` (a measure out of reach is a 404); writes through the services,
after `may_edit_measures` (the record keepers; cadres and work teams read). Member ID numbers are masked
in the list's workbook for every role that is not a record keeper.
"""

from __future__ import annotations

import tempfile
from pathlib import Path, PurePath

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from jingzhun import cells
from jingzhun.accounts.audit import audit, client_ip
from jingzhun.accounts.models import AuditEvent
from jingzhun.listing import CONTROL_VARS, Column, Listing, error_page, form_problems
from jingzhun.orgunits.access import access_for
from jingzhun.orgunits.permissions import may_edit_measures, require
from jingzhun.orgunits.selectors import filter_units, unit_label
from jingzhun.registry import selectors as registry_selectors
from jingzhun.registry.vocab import MemberStatus
from jingzhun.workflows.common import attempt

from ..forms.measures import (
    EndForm,
    EvidenceForm,
    ImportForm,
    MeasureFilterForm,
    MeasureForm,
    details_shown,
    type_name,
)
from ..selectors import measures as selectors
from ..services import measures as services
from ..services.measures import MeasureError
from ..services.measures_exchange import SHEET, measures_import, sheet_columns, sheet_rows
from ..vocab import measure_types

_REFUSED = gettext_lazy("帮扶措施由村、乡镇、县的信息员登记；帮扶责任人和驻村工作队可以查看。")


# --- the household page's section ---------------------------------------------------------------------

def household_section(sender, household, user, access, **kwargs):
    """帮扶措施 on the household page: this year's measures and the earlier ones, with their amounts."""
    types = measure_types()
    year = timezone.localdate().year
    rows = list(selectors.household_measures(household, access))
    for m in rows:
        mtype = types.get(m.type)
        m.type_name = type_name(mtype, m.type)
        m.details_shown = details_shown(m, mtype)
    return [{"id": "measures", "template": "assistance/_measures_section.html", "order": 10, "context": {
        "household": household, "year": year,
        "current": [m for m in rows if m.year >= year], "past": [m for m in rows if m.year < year],
        "can_edit": may_edit_measures(access)}}]


# --- one measure ----------------------------------------------------------------------------------------

def _members(household, measure=None):
    """The members a measure may go to: those still in the household (and the one it went to before)."""
    keep = Q(status=MemberStatus.NORMAL) | Q(pk=measure.member_id if measure is not None else None)
    return household.members.filter(keep).order_by("pk")


@login_required
@require_http_methods(["GET", "POST"])
def measure_new(request, code: str):
    """登记帮扶措施: first the type (a list of links), then the form with that type's details."""
    require(may_edit_measures(request.user), _REFUSED)
    household = registry_selectors.household_get(request.user, code)
    mtype = measure_types().get(request.GET.get("type", "") or request.POST.get("type", ""))
    if mtype is None:
        return render(request, "assistance/measure_type_pick.html", {
            "household": household, "types": [(t.code, type_name(t), t.member) for t in measure_types().values()]})
    form = MeasureForm(request.POST or None, mtype=mtype, members=_members(household),
                       initial={"year": timezone.localdate().year})
    if request.method == "POST" and form.is_valid():
        data = form.service_data()
        data.pop("type")
        ok, measure = attempt(request, lambda: services.measure_create(
            acting_user=request.user, household_code=household.code, type=mtype.code, **data),
            _("已登记帮扶措施。"), form=form, errors=MeasureError)
        if ok:
            return redirect("assistance:measure_detail", measure_id=measure.pk)
    return render(request, "assistance/measure_form.html", {"household": household, "form": form, "mtype": mtype,
                                                            "type_name": type_name(mtype), "title": _("登记帮扶措施")})


@login_required
def measure_detail(request, measure_id: int):
    measure = selectors.measure_get(request.user, measure_id)
    mtype = measure_types().get(measure.type)
    access = access_for(request.user)
    return render(request, "assistance/measure_detail.html", {
        "measure": measure, "household": measure.household, "type_name": type_name(mtype, measure.type),
        "details": details_shown(measure, mtype), "evidence": measure.evidence.all(),
        "can_edit": may_edit_measures(access), "end_form": EndForm(initial={"end": timezone.localdate()}),
        "evidence_form": EvidenceForm()})


@login_required
@require_http_methods(["GET", "POST"])
def measure_edit(request, measure_id: int):
    require(may_edit_measures(request.user), _REFUSED)
    measure = selectors.measure_get(request.user, measure_id)
    mtype = measure_types()[measure.type]
    form = MeasureForm(request.POST or None, mtype=mtype, members=_members(measure.household, measure),
                       initial=MeasureForm.initial_of(measure))
    if request.method == "POST" and form.is_valid():
        ok, _changed = attempt(request, lambda: services.measure_update(
            acting_user=request.user, measure_id=measure.pk, data=form.service_data(), reason=_("网页修改")),
            lambda changed: _("已保存。") if changed else _("没有改动。"), form=form, errors=MeasureError)
        if ok:
            return redirect("assistance:measure_detail", measure_id=measure.pk)
    return render(request, "assistance/measure_form.html", {"household": measure.household, "form": form,
                                                            "mtype": mtype, "measure": measure,
                                                            "type_name": type_name(mtype),
                                                            "title": _("修改帮扶措施")})


@login_required
@require_http_methods(["GET", "POST"])
def measure_end(request, measure_id: int):
    """结束 a measure (the form is on the measure's page; a GET goes there, after the same checks)."""
    require(may_edit_measures(request.user), _REFUSED)
    measure = selectors.measure_get(request.user, measure_id)
    if request.method == "GET":
        return redirect("assistance:measure_detail", measure_id=measure.pk)
    form = EndForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form_problems(form)))
    else:
        attempt(request, lambda: services.measure_end(acting_user=request.user, measure_id=measure.pk,
                                                      end=form.cleaned_data["end"],
                                                      reason=form.cleaned_data["reason"]),
                _("已结束该措施。"), errors=MeasureError)
    return redirect("assistance:measure_detail", measure_id=measure.pk)


@login_required
@require_http_methods(["GET", "POST"])
def measure_evidence_new(request, measure_id: int):
    """Upload a 佐证材料 (the form is on the measure's page; a GET goes there, after the same checks)."""
    require(may_edit_measures(request.user), _REFUSED)
    measure = selectors.measure_get(request.user, measure_id)
    if request.method == "GET":
        return redirect("assistance:measure_detail", measure_id=measure.pk)
    form = EvidenceForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("请选择要上传的文件。"))
    else:
        attempt(request, lambda: services.measure_evidence_add(acting_user=request.user, measure_id=measure.pk,
                                                               upload=form.cleaned_data["file"],
                                                               ip=client_ip(request)),
                _("已上传佐证材料。"), errors=MeasureError)
    return redirect("assistance:measure_detail", measure_id=measure.pk)


@login_required
def measure_evidence(request, evidence_id: int):
    """A 佐证材料 as a download, as the content type its check found (never sniffed), audited."""
    item = selectors.evidence_get(request.user, evidence_id)
    if not item.file:
        raise Http404("no file")
    audit(request, AuditEvent.Action.DOWNLOAD, item.name, count=1, what="measure_evidence",
          measure=item.measure_id, evidence=item.pk)
    return FileResponse(item.file.open("rb"), as_attachment=True, filename=item.name,
                         content_type=services.evidence_content_type(item))


# --- the list -----------------------------------------------------------------------------------------

def _columns() -> list[Column]:
    return [Column(_("户编号"), "household", ("household_id",)), Column(_("户主姓名")), Column(_("受益人员")),
            Column(_("年度"), "year", num=True), Column(_("措施类型"), "type"), Column(_("措施名称"), "name"),
            Column(_("金额（元）"), "amount", num=True), Column(_("开始日期"), "start"), Column(_("结束日期"), "end"),
            Column(_("责任单位")), Column(_("脱贫后继续享受"), "continues", ("continues_after_exit",))]


@login_required
def measure_list(request):
    form = MeasureFilterForm(request.GET or None, units=filter_units(
        request.user, request.GET.get("township", ""), request.GET.get("village", "")))
    filtered = bool(form.data.keys() - CONTROL_VARS)
    if filtered and not form.is_valid():
        return error_page(request, title=_("筛选条件有误"), problems=form_problems(form),
                          back=reverse("assistance:measure_list"))
    data = form.cleaned_data if filtered else {}
    rows = selectors.measures_filtered(request.user, year=data.get("year"), type=data.get("type", ""),
                                       unit=form.unit if filtered else "", continuing=data.get("continuing", ""))
    access = access_for(request.user)
    listing = Listing(request.GET, rows.select_related("household", "member"), _columns(), default_sort="-year",
                      tiebreak=("household_id", "type", "id"), title=_("帮扶措施"),
                      unit=unit_label(request.user, form.unit if filtered else ""), exportable=True)
    if listing.exporting:
        return listing.export_refusal(request) or _measures_xlsx(request, listing, access)
    listing.chips_from_form(form, depends={"township": ["village"]})
    types = measure_types()
    for m in listing.page.object_list:
        m.type_name = type_name(types.get(m.type), m.type)
    if listing.printing:
        audit(request, AuditEvent.Action.DOWNLOAD, listing.title, count=len(listing.page.object_list),
              what="measure_list_print", filter=listing.filter_query)
    return render(request, "assistance/measure_list.html", {"form": form, "listing": listing, "page": listing.page,
                                                            "can_import": may_edit_measures(access)})


@login_required
@require_http_methods(["GET", "POST"])
def measure_import(request):
    """导入帮扶措施 from one file, in the request: all or nothing, the households in the user's reach."""
    require(may_edit_measures(request.user), _REFUSED)
    form = ImportForm(request.POST or None, request.FILES or None)
    issues = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        with tempfile.TemporaryDirectory(prefix="jingzhun-measures-") as folder:
            # stored under a name of ours (the person's name is only shown): never a path they chose
            path = Path(folder) / ("upload" + PurePath(upload.name or "").suffix.lower()[:8])
            with open(path, "wb") as out:
                for chunk in upload.chunks():
                    out.write(chunk)
            report = measures_import(paths=[path], acting_user=request.user, display_names={path: upload.name},
                                     via="网页", ip=client_ip(request))
        if report.ok:
            messages.success(request, _("导入完成：新增 %(created)d 项，更新 %(updated)d 项，未变 %(unchanged)d 项。")
                             % {"created": report.created, "updated": report.updated, "unchanged": report.unchanged})
            return redirect("assistance:measure_list")
        issues = report.issues
    return render(request, "assistance/measure_import.html", {"form": form, "issues": issues}, status=400 if issues else 200)


def _measures_xlsx(request, listing: Listing, access):
    """The list's rows as the sheet 帮扶措施 of the import format (docs/measures-format.md), so a record
    keeper's export re-imports; ID numbers masked for the other roles. Audited like every export."""
    name = f"{SHEET}-{access.prefix or _('全国')}-{timezone.localdate():%Y%m%d}.xlsx"
    response, count = cells.xlsx_response(name, SHEET, sheet_columns(), sheet_rows(listing.rows, access.mask_id))
    audit(request, AuditEvent.Action.EXPORT, name, count=count, what="measures", filter=listing.filter_query,
          masked=not access.sees_full_ids, format="xlsx", source="web")
    return response
