"""The background task of web imports (queued by services.import_job_create)."""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from jingzhun.runs.tasks import run_task

from .errorbook import ERROR_WORKBOOK, error_workbook
from .importer import registry_import
from .models import ImportJob

#: Issues kept on the job for the page and the error workbook; a file with more is hopeless anyway.
MAX_STORED_ISSUES = 20_000


@run_task(ImportJob)
def run_import_job(job: ImportJob) -> str:
    """Import the uploaded files (one transaction: all or nothing); the uploads are deleted afterwards.

    They carry ID numbers: kept no longer than the import (the error workbook holds only the bad rows,
    for their uploader).
    """
    folder = Path(job.folder)
    paths = sorted((p for p in folder.iterdir() if p.stem.isdigit()), key=lambda p: int(p.stem))
    names = {path: job.files[int(path.stem)] for path in paths}
    try:
        report = registry_import(paths=paths, acting_user=job.triggered_by, dry_run=job.dry_run,
                                 display_names=names, via=_("网页上传"), progress=job.progress)
    except PermissionDenied:
        job.finish(ImportJob.Status.REFUSED, stage=_("有错误，未导入"), error=_("您的角色不能导入数据"))
        return job.status
    issues = [i.as_dict() for i in report.issues[:MAX_STORED_ISSUES]]
    if report.issues:
        error_workbook(report.issues[:MAX_STORED_ISSUES], report.sheets, folder / ERROR_WORKBOOK,
                       total=len(report.issues))
        job.finish(ImportJob.Status.REFUSED, stage=_("有错误，未导入"), issues=issues, issue_count=len(report.issues))
    else:
        job.finish(ImportJob.Status.CHECKED if job.dry_run else ImportJob.Status.DONE, stage=_("完成"),
                   summary={name: vars(getattr(report.summary, name)) for name in ("villages", "households", "members")})
    return job.status
