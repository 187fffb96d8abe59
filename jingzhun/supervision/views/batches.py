"""Pages of 交办批次: the list, a batch by hand, the import of a 督导组's spreadsheet (with its template),
a batch's progress (the sentence, by 方面, by 责任单位, the items with their days left), 批量交办 and the
整改情况通报 (.docx).

Reads go through the selectors (a batch out of reach is a 404); the helpers (cadres, work teams) read no
ledger (403). Writes are the county's (`may_manage_ledger`) and go through services.batches.
"""

from __future__ import annotations

import io
import tempfile
from pathlib import Path, PurePath

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import FileResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from jingzhun.accounts.audit import audit, client_ip
from jingzhun.accounts.models import AuditEvent
from jingzhun.cells import XLSX_CONTENT_TYPE
from jingzhun.exchange.errorbook import error_workbook
from jingzhun.listing import Column, Listing
from jingzhun.orgunits.access import access_for
from jingzhun.orgunits.permissions import may_manage_ledger, may_read_ledger, require
from jingzhun.orgunits.selectors import unit_label

from ..batch_report import batch_report_docx
from ..ledger_format import ledger_template
from ..selectors import batch_get, batches_for, items_for
from ..selectors.progress import batch_progress
from ..services import batches as services
from ..services.items import LedgerError
from ..vocab import ItemState, Source, Timing

IMPORT_MAX_BYTES = 10 * 1024 * 1024
DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_NOT_READING = gettext_lazy("帮扶责任人和驻村工作队不使用整改台账。")
_NOT_MANAGING = gettext_lazy("只有县级管理员可以登记、导入和交办本县的批次。")


def _county_of(user) -> str:
    prefix = access_for(user).prefix
    return prefix[:6] if len(prefix) >= 6 else ""


class BatchForm(forms.Form):
    """What a batch is (by hand, or around an imported file)."""

    county = forms.RegexField(label=gettext_lazy("县（区划代码）"), regex=r"^[0-9]{6}$", max_length=6,
                              error_messages={"invalid": gettext_lazy("应为 6 位县级区划代码，如 140826。")})
    name = forms.CharField(label=gettext_lazy("批次名称"), max_length=128,
                           help_text=gettext_lazy("如：省督导组反馈问题（2020年第1批）"))
    source = forms.ChoiceField(label=gettext_lazy("问题来源"), choices=Source.choices, initial=Source.INSPECTION)
    issued_by = forms.CharField(label=gettext_lazy("交办单位"), max_length=128, required=False,
                                help_text=gettext_lazy("如：省脱贫攻坚第三督导组"))
    received_on = forms.DateField(label=gettext_lazy("交办日期"), widget=forms.DateInput(attrs={"type": "date"}))
    deadline = forms.DateField(label=gettext_lazy("总时限"), required=False,
                               widget=forms.DateInput(attrs={"type": "date"}),
                               help_text=gettext_lazy("没有单独时限的问题按此时限整改，如 6 月底前全部销号清零。"))

    def __init__(self, *args, county: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        if county:
            self.fields["county"].initial = county
            self.fields["county"].widget = forms.HiddenInput()

    def clean(self):
        data = super().clean()
        if data.get("received_on") and data.get("deadline") and data["deadline"] < data["received_on"]:
            self.add_error("deadline", _("总时限不能早于交办日期。"))
        return data


class BatchImportForm(BatchForm):
    file = forms.FileField(label=gettext_lazy("问题清单文件"),
                           help_text=gettext_lazy("按《督导组反馈问题清单格式》填写的 .xlsx 工作簿（工作表“问题清单”）或 CSV 文件，"
                                                  "不超过 10 MB。"),
                           widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}))
    create_missing = forms.BooleanField(label=gettext_lazy("自动添加缺少的县直部门（按表中所写的名称）"), required=False)
    error_workbook = forms.BooleanField(label=gettext_lazy("有错误时下载错误清单（Excel：列出每处错误，出错的单元格标红）"),
                                        required=False)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > IMPORT_MAX_BYTES:
            raise forms.ValidationError(_("文件超过 10 MB，请分成几个文件导入，或用命令 jingzhun ledger import 导入。"))
        return upload


# --- the list ------------------------------------------------------------------------------------------


def _columns() -> list[Column]:
    return [Column(_("批次名称"), "name"), Column(_("县"), "county", ("county_id",)), Column(_("问题来源"), "source"),
            Column(_("交办单位"), "issued_by"), Column(_("交办日期"), "received", ("received_on",)),
            Column(_("总时限"), "deadline"), Column(_("事项数"), "items", ("n_items",), num=True),
            Column(_("已销号"), "closed", ("n_closed",), num=True)]


@login_required
@require_GET
def batch_list(request):
    """交办批次: those in reach, with their counts (of the items in reach)."""
    require(may_read_ledger(request.user), _NOT_READING)
    mine = items_for(request.user).values("pk")
    batches = batches_for(request.user).select_related("county").annotate(
        n_items=Count("items", filter=Q(items__in=mine), distinct=True),
        n_closed=Count("items", filter=Q(items__in=mine, items__state=ItemState.CLOSED), distinct=True))
    listing = Listing(request.GET, batches, _columns(), default_sort="-received", tiebreak=("-pk",),
                      title=_("交办批次"), unit=unit_label(request.user))
    if listing.printing:
        audit(request, AuditEvent.Action.DOWNLOAD, listing.title, count=len(listing.page.object_list),
              what="ledger_batch_list_print")
    return render(request, "supervision/batch_list.html", {
        "listing": listing, "page": listing.page, "can_manage": may_manage_ledger(request.user)})


# --- by hand, and from a file ------------------------------------------------------------------------------


def _require_manager(request) -> str:
    require(may_manage_ledger(request.user), _NOT_MANAGING)
    return _county_of(request.user)


@login_required
@require_http_methods(["GET", "POST"])
def batch_new(request):
    """登记批次 by hand."""
    county = _require_manager(request)
    form = BatchForm(request.POST or None, county=county)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            batch = services.batch_create(acting_user=request.user, county=data["county"], name=data["name"],
                                          source=data["source"], issued_by=data["issued_by"],
                                          received_on=data["received_on"], deadline=data["deadline"])
        except LedgerError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("批次“%(name)s”已登记。") % {"name": batch.name})
            return redirect("supervision:batch_detail", batch_id=batch.pk)
    return render(request, "supervision/batch_form.html", {"form": form}, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def batch_import(request):
    """导入督导组反馈问题清单: one file, all or nothing; the errors on the page, or the new batch."""
    county = _require_manager(request)
    form = BatchImportForm(request.POST or None, request.FILES or None, county=county)
    issues = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        upload = data["file"]
        with tempfile.TemporaryDirectory(prefix="jingzhun-ledger-") as folder:
            # stored under a name of ours (the person's name is only shown): never a path they chose
            path = Path(folder) / ("upload" + PurePath(upload.name or "").suffix.lower()[:8])
            with open(path, "wb") as out:
                for chunk in upload.chunks():
                    out.write(chunk)
            report = services.batch_import(
                acting_user=request.user, county=data["county"], file=path, name=data["name"], source=data["source"],
                issued_by=data["issued_by"], received_on=data["received_on"], deadline=data["deadline"],
                create_missing=data["create_missing"], display_name=upload.name, via="网页", ip=client_ip(request))
            if not report.ok and data["error_workbook"]:
                error_workbook(report.issues, report.sheets, Path(folder) / "errors.xlsx")
                content = (Path(folder) / "errors.xlsx").read_bytes()
                name = f"{_('错误清单')}-{timezone.localdate():%Y%m%d}.xlsx"
                audit(request, AuditEvent.Action.DOWNLOAD, name, count=len(report.issues), what="ledger_import_errors")
                return FileResponse(io.BytesIO(content), as_attachment=True, content_type=XLSX_CONTENT_TYPE,
                                    filename=name)
        if report.ok:
            text = _("导入完成：%(aspects)d 方面 %(items)d 个问题，均为待交办。") % {
                "aspects": report.aspects, "items": report.items}
            if report.created_agencies:
                text += _("已添加县直部门：%(names)s。") % {"names": "、".join(report.created_agencies)}
            messages.success(request, text)
            return redirect("supervision:batch_detail", batch_id=report.batch.pk)
        issues = report.issues
    return render(request, "supervision/batch_import.html", {"form": form, "issues": issues},
                  status=400 if issues or form.errors else 200)


@login_required
@require_GET
def batch_template(request):
    """The empty 问题清单 with its 填写说明."""
    require(may_read_ledger(request.user), _NOT_READING)
    out = io.BytesIO()
    ledger_template(out)
    out.seek(0)
    name = f"{_('督导组反馈问题清单模板')}.xlsx"
    audit(request, AuditEvent.Action.DOWNLOAD, name, count=0, what="ledger_batch_template")
    return FileResponse(out, as_attachment=True, content_type=XLSX_CONTENT_TYPE, filename=name)


# --- one batch -----------------------------------------------------------------------------------------


def _batch(request, batch_id: int):
    require(may_read_ledger(request.user), _NOT_READING)
    return batch_get(request.user, batch_id)


@login_required
@require_GET
def batch_detail(request, batch_id: int):
    """整改进度: the sentence, by 方面 and by 责任单位, the items with their colours and days left."""
    batch = _batch(request, batch_id)
    progress = batch_progress(request.user, batch, today=timezone.localdate())
    rows = [(item, item.timing(progress.today, progress.warning_days))
            for item in progress.items]
    access = access_for(request.user)
    can_manage = may_manage_ledger(access) and access.reaches_code(batch.county_id)
    drafts = sum(1 for item in progress.items if item.state == ItemState.DRAFT)
    return render(request, "supervision/batch_detail.html", {
        "batch": batch, "progress": progress, "rows": rows, "can_manage": can_manage, "drafts": drafts,
        "Timing": Timing})


@login_required
def batch_assign(request, batch_id: int):
    """批量交办 (POST, the county). Reach and role are checked before the method, so a GET tells an
    outsider no more than a POST would."""
    batch = _batch(request, batch_id)
    access = access_for(request.user)
    require(may_manage_ledger(access) and access.reaches_code(batch.county_id), _NOT_MANAGING)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        result = services.batch_assign(acting_user=request.user, batch_id=batch.pk)
    except LedgerError as exc:
        messages.error(request, exc.message)
    else:
        if result.assigned:
            messages.success(request, _("已交办 %(n)d 个事项。") % {"n": result.assigned})
        if result.skipped:
            messages.warning(request, _("以下事项未交办：%(list)s。请补全后再交办。") % {
                "list": "；".join(_("%(number)d号（%(reason)s）") % {"number": n, "reason": r} for n, r in result.skipped)})
        if not result.assigned and not result.skipped:
            messages.info(request, _("该批次没有待交办的事项。"))
    return redirect("supervision:batch_detail", batch_id=batch.pk)


@login_required
@require_GET
def batch_report(request, batch_id: int):
    """整改情况通报 (.docx, 公文 layout) of the batch as the reader sees it."""
    batch = _batch(request, batch_id)
    progress = batch_progress(request.user, batch, today=timezone.localdate())
    with tempfile.TemporaryDirectory(prefix="jingzhun-ledger-") as folder:
        path = Path(folder) / "report.docx"
        batch_report_docx(progress, path)
        content = path.read_bytes()
    name = f"{batch.name.replace('/', '-').replace(chr(92), '-')}-{_('整改情况通报')}-{progress.today:%Y%m%d}.docx"
    audit(request, AuditEvent.Action.DOWNLOAD, name, count=progress.counts.items, what="ledger_batch_report",
          batch=batch.pk)
    return FileResponse(io.BytesIO(content), as_attachment=True, content_type=DOCX_CONTENT_TYPE, filename=name)
