"""Comparison pages: start a comparison, watch it, read results by village, review candidate pairs."""

from __future__ import annotations

import io

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from jingzhun.exchange.export import XLSX_CONTENT_TYPE
from jingzhun import cells
from jingzhun.accounts.audit import audit
from jingzhun.accounts.models import AuditEvent
from jingzhun.exchange.import_views import MultipleFileField
from jingzhun.listing import PRINT_VAR, Column, Listing
from jingzhun.orgunits.access import access_for
from jingzhun.orgunits.permissions import may_compare, may_review_pair, require
from jingzhun.orgunits.selectors import unit_label
from jingzhun.orgunits.widgets import IsoDateInput
from jingzhun.runs.reaper import reap_soon

from . import selectors, services
from .formats import format_workbook
from .kinds import KINDS, RULE_CATEGORY, RULE_NAMES
from .models import Match


class CompareForm(forms.Form):
    kind = forms.ChoiceField(label=_("数据类别"), choices=[(k.code, _(k.label)) for k in KINDS.values()])
    files = MultipleFileField(label=_("文件"), help_text=_("该类数据的 .xlsx 工作簿或 .csv 文件，可多选；格式见下方《部门比对数据格式》，可下载各类数据的空白表格。"))
    source = forms.CharField(label=_("数据来源"), max_length=128, required=False,
                             help_text=_("如“县公安局 2024 年 6 月死亡人口”；不填则为该类数据通常的提供部门。"))
    data_date = forms.DateField(label=_("数据日期"), required=False, initial=timezone.localdate,
                                widget=IsoDateInput())


@login_required
@require_http_methods(["GET", "POST"])
def compare_home(request):
    access = access_for(request.user)
    if not access.active:
        raise PermissionDenied
    may = may_compare(request.user)
    form = CompareForm(request.POST or None, request.FILES or None) if may else None
    if request.method == "POST":
        require(may)
        if form.is_valid():
            try:
                run = services.compare_run_start(acting_user=request.user, kind=form.cleaned_data["kind"],
                                                 files=form.cleaned_data["files"], source=form.cleaned_data["source"],
                                                 data_date=form.cleaned_data["data_date"])
            except ValidationError as exc:
                form.add_error("files", exc)
            else:
                return redirect("compare:run", compare_run_id=run.pk)
    listing = Listing(request.GET, selectors.runs_for(request.user).select_related("batch"), _run_columns(),
                      default_sort="-created", tiebreak=("-pk",), per_page=20, title=_("比对批次"),
                      unit=unit_label(request.user))
    return render(request, "compare/home.html", {"form": form, "listing": listing, "runs": listing.page.object_list,
                                                 "kinds": KINDS.values(), "may": may,
                                                 "rules": [(code, RULE_NAMES[code], RULE_CATEGORY[code])
                                                           for code in sorted(RULE_NAMES)]})


@login_required
@require_GET
def format_download(request, kind: str):
    """The empty format of one kind of department data (its sheet with dropdowns, and 填写说明)."""
    dataset_kind = KINDS.get(kind)
    if dataset_kind is None:
        raise Http404("no such kind")
    out = io.BytesIO()
    format_workbook(dataset_kind, out)
    out.seek(0)
    name = gettext("部门比对数据格式")
    return FileResponse(out, as_attachment=True, content_type=XLSX_CONTENT_TYPE,
                        filename=f"{name}-{dataset_kind.label}.xlsx")


def _pairs_xlsx(request, listing: Listing, run):
    """The pairs of the list (its filters and order) as a workbook, ID numbers masked as on the page."""
    access = access_for(request.user)
    columns = [cells.SheetColumn(title, kind) for title, kind in (
        (_("村代码"), cells.TEXT), (_("户编号"), cells.TEXT), (_("成员"), cells.TEXT), (_("身份证号"), cells.TEXT),
        (_("外部记录姓名"), cells.TEXT), (_("外部记录身份证号"), cells.TEXT), (_("外部记录出生日期"), cells.DATE),
        (_("外部记录行号"), cells.INT), (_("方式"), cells.TEXT), (_("匹配权重"), cells.DECIMAL), (_("状态"), cells.TEXT))]
    rows = ((m.village, m.household, m.member_name, access.mask_id(m.person), m.record.name,
             access.mask_id(m.record.id_number), m.record.birth_date, m.record.row, m.get_method_display(),
             m.match_weight, m.get_status_display()) for m in listing.rows.iterator(2000))
    name = f"{_('比对配对')}-{run.pk}-{timezone.localdate():%Y%m%d}.xlsx"
    response, count = cells.xlsx_response(name, str(_("比对配对")), columns, rows)
    # These files carry ID numbers (masked for roles that see them masked): every download is audited.
    audit(request, AuditEvent.Action.EXPORT, name, count=count, what="compare_pairs", run=run.pk,
          filter=listing.filter_query, masked=not access.sees_full_ids, format="xlsx", source="web")
    return response


def _run_columns() -> list[Column]:
    return [Column(_("发起时间"), "created", ("created_at",)), Column(_("数据类别"), "kind"),
            Column(_("数据来源"), "source", ("batch__source",)), Column(_("比对范围"), "org"), Column(_("状态"), "status")]


def _pair_columns(*, history: bool, review: bool) -> list[Column]:
    columns = [Column(_("村代码"), "village"), Column(_("户编号"), "household"), Column(_("成员"), "member", ("member_name",)),
               Column(_("身份证号")), Column(_("外部记录"), "record", ("record__name",)), Column(_("方式"), "method"),
               Column(_("匹配权重"), "weight", ("match_weight",), num=True), Column(_("各字段")),
               Column(_("状态"), "status")]
    return columns + ([Column(_("核对记录"))] if history else []) + ([Column("")] if review else [])


def _pairs_listing(request, qs, *, title: str, history: bool = False, review: bool = False) -> Listing:
    """The pairs as a list page (sortable, paged, printable), ID numbers masked as for the viewer."""
    access = access_for(request.user)
    listing = Listing(request.GET, qs, _pair_columns(history=history, review=review and not request.GET.get(PRINT_VAR)),
                      default_sort="village", tiebreak=("household", "pk"), per_page=100, title=title,
                      unit=unit_label(request.user), exportable=True)
    if listing.exporting:
        return listing
    for m in listing.page.object_list:
        m.person_shown = access.mask_id(m.person)
        m.record_id_shown = access.mask_id(m.record.id_number)
    if listing.printing:  # a printed list carries ID numbers (masked as on the page): audited like a download
        audit(request, AuditEvent.Action.DOWNLOAD, title, count=len(listing.page.object_list), what="compare_pairs_print",
              filter=listing.filter_query)
    return listing


@login_required
@require_GET
def compare_run(request, compare_run_id):
    reap_soon()
    run = selectors.run_get(request.user, compare_run_id)
    if request.headers.get("HX-Request"):
        return render(request, "compare/_run_status.html", {"run": run})
    pairs = selectors.matches_for(request.user, run)
    village = request.GET.get("village", "")
    by_village = (pairs.values("village").annotate(
        total=Count("id"), exact=Count("id", filter=Q(method=Match.Method.EXACT)),
        accepted=Count("id", filter=Q(status__in=[Match.Status.AUTO, Match.Status.ACCEPTED])),
        pending=Count("id", filter=Q(status=Match.Status.PENDING))).order_by("village"))
    shown = pairs.filter(village=village) if village else pairs
    listing = _pairs_listing(request, shown, title=_("比对结果：%(kind)s") % {"kind": KINDS[run.kind].label_shown})
    if listing.exporting:
        return listing.export_refusal(request) or _pairs_xlsx(request, listing, run)
    if village:
        listing.add_chip(_("村代码"), village, "village")
    return render(request, "compare/run.html", {"run": run, "kind": KINDS[run.kind], "by_village": by_village,
                                                "listing": listing, "page": listing.page, "village": village,
                                                "may": may_review_pair(request.user)})


@login_required
@require_http_methods(["GET", "POST"])
def compare_review(request, compare_run_id):
    run = selectors.run_get(request.user, compare_run_id)
    may = may_review_pair(request.user)
    error = ""
    if request.method == "POST":
        require(may)
        try:
            services.review_decide(run=run, match_id=int(request.POST.get("match", "0") or 0),
                                   acting_user=request.user, same_person=request.POST.get("decision") == "same")
        except (ValidationError, ValueError) as exc:
            error = gettext("；").join(getattr(exc, "messages", [str(exc)]))
        else:
            return redirect(request.get_full_path())
    # pending pairs and those a person decided, each with every decision made on it (append-only)
    reviewable = selectors.matches_for(request.user, run).filter(
        status__in=[Match.Status.PENDING, Match.Status.ACCEPTED, Match.Status.REJECTED])
    listing = _pairs_listing(request, reviewable, title=_("人工核对：%(kind)s") % {"kind": KINDS[run.kind].label_shown},
                             history=True, review=may)
    if listing.exporting:
        return listing.export_refusal(request) or _pairs_xlsx(request, listing, run)
    history = selectors.review_history(run, listing.page.object_list)
    for m in listing.page.object_list:
        m.decisions = history[m.pk]
    return render(request, "compare/review.html", {"run": run, "kind": KINDS[run.kind], "may": may, "error": error,
                                                   "listing": listing, "page": listing.page})
