"""Upload pages: choose files, watch the import, read or download its errors."""

from __future__ import annotations

import io
from pathlib import Path

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext, gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from jingzhun.accounts.audit import audit
from jingzhun.accounts.models import AuditEvent
from jingzhun.runs.reaper import reap_soon
from jingzhun.orgunits.permissions import may_import, require

from . import services
from .blank import exchange_template
from .errorbook import ERROR_WORKBOOK
from .export import XLSX_CONTENT_TYPE
from .template import TEMPLATE_VERSION
from .models import ImportJob


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (Django's documented recipe)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".xlsx,.csv"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(d, initial) for d in data]
        return [single(data, initial)]


class UploadForm(forms.Form):
    files = MultipleFileField(label=_("文件"), help_text=_("模板（版本 2，或仍可用的版本 1）的 .xlsx 工作簿，或名为 村表.csv / 户表.csv / 人员表.csv 的文件，可多选。"))
    dry_run = forms.BooleanField(label=_("只检查，不写入"), required=False)


@login_required
@require_http_methods(["GET", "POST"])
def import_start(request):
    require(may_import(request.user))
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = services.import_job_create(acting_user=request.user, files=form.cleaned_data["files"],
                                             dry_run=form.cleaned_data["dry_run"])
        except ValidationError as exc:
            form.add_error("files", exc)
        else:
            return redirect("exchange:import_job", job_id=job.pk)
    recent = ImportJob.objects.filter(triggered_by=request.user)[:10]
    return render(request, "exchange/import_start.html", {"form": form, "recent": recent})


@login_required
@require_GET
def template_download(request):
    """The empty exchange template (村表, 户表, 人员表 with their dropdowns, and 填写说明): no one's data."""
    out = io.BytesIO()
    exchange_template(out)
    out.seek(0)
    name = gettext("建档立卡数据交换模板")
    return FileResponse(out, as_attachment=True, content_type=XLSX_CONTENT_TYPE,
                        filename=f"{name}-v{TEMPLATE_VERSION}.xlsx")


@login_required
@require_GET
def import_job(request, job_id):
    reap_soon()
    job = services.import_job_get(request.user, job_id)
    page = Paginator(job.issues, 200).get_page(request.GET.get("page"))
    template = "exchange/_import_status.html" if request.headers.get("HX-Request") else "exchange/import_job.html"
    return render(request, template, {"job": job, "run": job, "page": page})


@login_required
@require_GET
def import_errors(request, job_id):
    job = services.import_job_get(request.user, job_id)
    path = Path(job.folder) / ERROR_WORKBOOK
    if job.status != ImportJob.Status.REFUSED or not path.exists():
        raise Http404("no error workbook")
    audit(request, AuditEvent.Action.DOWNLOAD, f"import-{job.pk}-errors.xlsx", count=job.issue_count,
          what="import_errors")
    return FileResponse(open(path, "rb"), as_attachment=True, filename=f"导入错误-{job.created_at:%Y%m%d-%H%M}.xlsx")
