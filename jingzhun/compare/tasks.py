"""The background task of comparisons started from the web (queued by services.compare_run_start)."""

from __future__ import annotations

import datetime
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from jingzhun.runs.tasks import run_task

from .kinds import KINDS
from .models import CompareRun
from .services import compare_run_execute, dataset_load


@run_task(CompareRun)
def run_compare(run: CompareRun) -> str:
    """Load the uploaded files (all or nothing), then match and raise signals; the uploads are then deleted."""
    folder = Path(run.folder)
    paths = sorted((p for p in folder.iterdir() if p.stem.isdigit()), key=lambda p: int(p.stem)) if folder.is_dir() \
        else []
    names = {p: run.upload["files"][int(p.stem)] for p in paths}
    kind = KINDS[run.kind]
    try:
        report = dataset_load(kind=kind, paths=paths, acting_user=run.triggered_by, source=run.upload.get("source", ""),
                              data_date=datetime.date.fromisoformat(run.upload["date"]), display_names=names,
                              via=_("网页上传"), progress=run.progress)
    except PermissionDenied:
        run.finish(CompareRun.Status.REFUSED, stage=_("有错误，未导入"), error=_("您的角色不能做部门比对"))
        return run.status
    if not report.ok:
        run.finish(CompareRun.Status.REFUSED, stage=_("有错误，未导入"),
                   issues=[i.as_dict() for i in report.issues[:5000]])
        return run.status
    run.batch = report.batch
    run.save(update_fields=["batch"])
    compare_run_execute(kind=kind, org=run.org, acting_user=run.triggered_by, run=run, batch=report.batch,
                        progress=run.progress)
    return run.status
