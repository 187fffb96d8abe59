"""Survey results from a spreadsheet: the import page and the assessment's prefilled template.

Both are for the assessment's headquarters and supervisors (`may_survey`, then their duty in it); an
assessment out of reach is a 404. The import is all or nothing (services.imports); on failure the page
lists every error, on success it says what was stored.
"""

from __future__ import annotations

import io
import tempfile
from pathlib import Path, PurePath

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from jingzhun.accounts.audit import audit, client_ip
from jingzhun.accounts.models import AuditEvent
from jingzhun.cells import XLSX_CONTENT_TYPE
from jingzhun.exchange.errorbook import error_workbook
from jingzhun.orgunits.permissions import may_survey, require

from ..results_format import results_template
from ..selectors import assessment_get
from ..selectors.imports import may_import_results
from ..services.imports import results_import as import_results

IMPORT_MAX_BYTES = 10 * 1024 * 1024
_REFUSED = gettext_lazy("只有本次评估的评估组或督导员可以导入调查结果。")


class ResultsImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("调查结果文件"),
                           help_text=gettext_lazy("按《考核评估调查结果格式》填写的 .xlsx 工作簿（工作表“调查结果”）或 CSV 文件，"
                                                  "不超过 10 MB。"),
                           widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}))
    error_workbook = forms.BooleanField(label=gettext_lazy("有错误时下载错误清单（Excel：列出每处错误，出错的单元格标红）"),
                                        required=False)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > IMPORT_MAX_BYTES:
            raise forms.ValidationError(_("文件超过 10 MB，请分成几个文件导入，或用命令 jingzhun assess import 导入。"))
        return upload


def _assessment_for_import(request, assessment_id: int):
    require(may_survey(request.user), _REFUSED)
    assessment = assessment_get(request.user, assessment_id)
    require(may_import_results(request.user, assessment), _REFUSED)
    return assessment


@login_required
@require_http_methods(["GET", "POST"])
def results_import(request, assessment_id: int):
    """导入调查结果: one file, all or nothing; the errors on the page, or a summary after the redirect."""
    assessment = _assessment_for_import(request, assessment_id)
    form = ResultsImportForm(request.POST if request.method == "POST" else None, request.FILES or None)
    issues = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        with tempfile.TemporaryDirectory(prefix="jingzhun-results-") as folder:
            # stored under a name of ours (the person's name is only shown): never a path they chose
            path = Path(folder) / ("upload" + PurePath(upload.name or "").suffix.lower()[:8])
            with open(path, "wb") as out:
                for chunk in upload.chunks():
                    out.write(chunk)
            report = import_results(assessment_id=assessment.pk, file=path, acting_user=request.user,
                                    display_name=upload.name, via="网页", ip=client_ip(request))
            if not report.ok and form.cleaned_data["error_workbook"]:
                return _error_workbook(request, assessment, report, Path(folder) / "errors.xlsx")
        if report.ok:
            messages.success(request, _("导入完成：%(imported)d 户问卷已完成（其中判定错退 %(wrong)d 户、漏评 %(missed)d 户、"
                                        "不认可 %(disapproving)d 户），%(skipped)d 行未填写已跳过。") % {
                "imported": report.imported, "wrong": report.wrong_exit, "missed": report.missed,
                "disapproving": report.disapproving, "skipped": report.skipped})
            return redirect("assessment:results_import", assessment_id=assessment.pk)
        issues = report.issues
    return render(request, "assessment/results_import.html", {"assessment": assessment, "form": form,
                                                              "issues": issues}, status=400 if issues else 200)


def _error_workbook(request, assessment, report, path: Path):
    """The refused file's errors as the other imports' error workbook (the list, and the bad rows marked),
    written at `path` (in the upload's temporary folder) and sent from memory."""
    error_workbook(report.issues, report.sheets, path)
    out = io.BytesIO(path.read_bytes())
    name = f"{_('错误清单')}-{assessment.pk}-{timezone.localdate():%Y%m%d}.xlsx"
    audit(request, AuditEvent.Action.DOWNLOAD, name, count=len(report.issues), what="assessment_results_errors",
          assessment=assessment.pk)
    return FileResponse(out, as_attachment=True, content_type=XLSX_CONTENT_TYPE, filename=name)


@login_required
@require_GET
def results_template_download(request, assessment_id: int):
    """The assessment's results template: its cases prefilled, dropdowns on the answers, 填写说明."""
    assessment = _assessment_for_import(request, assessment_id)
    out = io.BytesIO()
    count = results_template(assessment, out)
    out.seek(0)
    name = f"{_('调查结果')}-{assessment.county}-{assessment.pk}-{timezone.localdate():%Y%m%d}.xlsx"
    audit(request, AuditEvent.Action.DOWNLOAD, name, count=count, what="assessment_results_template",
          assessment=assessment.pk)
    return FileResponse(out, as_attachment=True, content_type=XLSX_CONTENT_TYPE, filename=name)
