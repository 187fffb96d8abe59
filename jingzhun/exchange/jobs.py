"""Web imports as background jobs: accept the upload, run it as a task, report progress and errors."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import xlsxwriter
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from jingzhun.orgunits.permissions import get_in_reach, may_import, require

from .importer import registry_import
from .issues import ImportIssue
from .models import ImportJob
from .readers import SheetData

logger = logging.getLogger(__name__)

ALLOWED_SUFFIXES = (".xlsx", ".csv")
ERROR_WORKBOOK = "errors.xlsx"
#: Issues kept on the job for the page and the error workbook; a file with more is hopeless anyway.
MAX_STORED_ISSUES = 20_000


@transaction.atomic
def import_job_create(*, acting_user, files: list[UploadedFile], dry_run: bool = False) -> ImportJob:
    """Store the uploaded files and queue their import (after this transaction commits)."""
    require(may_import(acting_user))
    if not files:
        raise ValidationError(_("请选择要导入的文件（.xlsx 工作簿，或名为 村表/户表/人员表 的 .csv 文件）。"))
    for upload in files:
        if not upload.name.lower().endswith(ALLOWED_SUFFIXES):
            raise ValidationError(_("“%(name)s”不是 .xlsx 或 .csv 文件；请用模板格式保存后再上传。") % {"name": upload.name})
        if upload.size > settings.JINGZHUN_MAX_UPLOAD_BYTES:
            raise ValidationError(_("“%(name)s”超过 %(mb)d MB，请拆分后上传。")
                                  % {"name": upload.name, "mb": settings.JINGZHUN_MAX_UPLOAD_BYTES // 2**20})
    if len({f.name for f in files}) != len(files):
        raise ValidationError(_("上传了同名文件，请只保留一个。"))
    job = ImportJob(created_by=acting_user, dry_run=dry_run, files=[Path(f.name).name for f in files])
    folder = Path(settings.UPLOAD_ROOT) / str(job.id)
    folder.mkdir(parents=True, exist_ok=True)
    for index, upload in enumerate(files):
        # Stored under a name of our own; the person's file name is kept only for display.
        with open(folder / f"{index}{Path(upload.name).suffix.lower()}", "wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
    job.folder = str(folder)
    job.save()
    transaction.on_commit(lambda: run_import_job.enqueue(str(job.id)))
    return job


def import_job_get(user, job_id) -> ImportJob:
    """A job of this user's own, or 404."""
    try:
        return get_in_reach(ImportJob.objects.filter(created_by=user), pk=job_id)
    except ValidationError:
        raise Http404("no such import job") from None


def _progress_writer(job: ImportJob):
    def progress(stage: str, percent: int) -> None:
        ImportJob.objects.filter(pk=job.pk).update(stage=stage, percent=percent)
    return progress


@task()
def run_import_job(job_id: str) -> str:
    """The background half of a web import."""
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING)
    folder = Path(job.folder)
    paths = sorted((p for p in folder.iterdir() if p.stem.isdigit()), key=lambda p: int(p.stem))
    names = {path: job.files[int(path.stem)] for path in paths}
    try:
        report = registry_import(paths=paths, acting_user=job.created_by, dry_run=job.dry_run,
                                 display_names=names, via=_("网页上传"), progress=_progress_writer(job))
    except PermissionDenied:
        job.status, job.stage = ImportJob.Status.REFUSED, _("您的角色不能导入数据")
    except Exception:  # the registry is untouched (one transaction); the person gets a plain message
        logger.exception("import job %s failed", job.pk)
        job.status, job.stage = ImportJob.Status.FAILED, _("系统错误，数据未改动；请联系系统管理员")
    else:
        job.issue_count = len(report.issues)
        job.issues = [i.as_dict() for i in report.issues[:MAX_STORED_ISSUES]]
        if report.issues:
            job.status, job.stage = ImportJob.Status.REFUSED, _("有错误，未导入")
            error_workbook(report.issues[:MAX_STORED_ISSUES], report.sheets, folder / ERROR_WORKBOOK,
                           total=len(report.issues))
        else:
            job.status = ImportJob.Status.CHECKED if job.dry_run else ImportJob.Status.DONE
            job.stage = _("完成")
            job.summary = {name: vars(getattr(report.summary, name)) for name in ("villages", "households", "members")}
    job.percent = 100
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "stage", "percent", "issues", "issue_count", "summary", "finished_at"])
    # The uploads carry ID numbers: keep them no longer than the import (the error workbook holds only
    # the bad rows, for their uploader).
    for path in paths:
        path.unlink(missing_ok=True)
    return job.status


def error_workbook(issues: list[ImportIssue], sheets: Mapping[str, SheetData], path: Path, *,
                   total: int | None = None) -> None:
    """The issues as an .xlsx: a list of every issue, and per sheet the bad rows whole, bad cells marked."""
    book = xlsxwriter.Workbook(str(path))
    bold = book.add_format({"bold": True, "bg_color": "#EEF1F4", "border": 1})
    bad = book.add_format({"bg_color": "#F8CBAD", "border": 1, "font_color": "#9C0006"})
    listing = book.add_worksheet(_("错误清单"))
    listing.freeze_panes(1, 0)
    for col, (title, width) in enumerate(((_("文件"), 18), (_("表"), 8), (_("行号"), 7), (_("列（表头）"), 16),
                                          (_("单元格内容"), 24), (_("错误说明"), 60))):
        listing.write_string(0, col, title, bold)
        listing.set_column(col, col, width)
    for r, issue in enumerate(issues, start=1):
        listing.write_string(r, 0, issue.source)
        listing.write_string(r, 1, issue.sheet)
        if issue.row is not None:
            listing.write_number(r, 2, issue.row)
        listing.write_string(r, 3, issue.header)
        listing.write_string(r, 4, issue.value)
        listing.write_string(r, 5, issue.message)
    if total is not None and total > len(issues):
        listing.write_string(len(issues) + 1, 5, _("……另有 %(n)d 处错误未列出，请先改正以上错误后重新导入。")
                             % {"n": total - len(issues)})
    for sheet, data in sheets.items():
        marked: dict[int, dict[str, str]] = {}
        for issue in issues:
            if issue.sheet == sheet and issue.row is not None:
                marked.setdefault(issue.row, {})[issue.header] = issue.message
        if not marked:
            continue
        wanted = pc.is_in(data.rows, pa.array(sorted(marked), pa.int32()))
        rows = data.rows.filter(wanted).to_pylist()
        table = data.table.filter(wanted)
        ws = book.add_worksheet(sheet)
        headers = [_("行号"), *table.column_names]
        for c, header in enumerate(headers):
            ws.write_string(0, c, header, bold)
        ws.freeze_panes(1, 1)
        columns = [table.column(i).to_pylist() for i in range(table.num_columns)]
        for r, row_number in enumerate(rows, start=1):
            ws.write_number(r, 0, row_number)
            for c, header in enumerate(table.column_names, start=1):
                value = columns[c - 1][r - 1] or ""
                if header in marked[row_number]:
                    ws.write_string(r, c, value, bad)
                    ws.write_comment(r, c, marked[row_number][header])
                else:
                    ws.write_string(r, c, value)
    book.close()
