"""Comparisons started from the web: store the upload, run load + match as a background task."""

from __future__ import annotations

import datetime
import logging
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from jingzhun.orgunits.access import access_for

from .kinds import KINDS
from .models import CompareRun
from .services import compare_run_execute, dataset_load, require_compare

logger = logging.getLogger(__name__)
ALLOWED_SUFFIXES = (".xlsx", ".csv")


@transaction.atomic
def compare_run_start(*, acting_user, kind: str, files, source: str = "",
                      data_date: datetime.date | None = None) -> CompareRun:
    """Keep the uploaded files and queue their load and comparison over the user's unit."""
    require_compare(acting_user)
    if kind not in KINDS:
        raise ValidationError(_("请选择数据类别。"))
    if not files:
        raise ValidationError(_("请选择要比对的文件（.xlsx 或 .csv）。"))
    for upload in files:
        if not upload.name.lower().endswith(ALLOWED_SUFFIXES):
            raise ValidationError(_("“%(name)s”不是 .xlsx 或 .csv 文件。") % {"name": upload.name})
        if upload.size > settings.JINGZHUN_MAX_UPLOAD_BYTES:
            raise ValidationError(_("“%(name)s”超过 %(mb)d MB，请拆分后上传。")
                                  % {"name": upload.name, "mb": settings.JINGZHUN_MAX_UPLOAD_BYTES // 2**20})
    run = CompareRun(kind=kind, org=access_for(acting_user).prefix, created_by=acting_user,
                     upload={"files": [Path(f.name).name for f in files], "source": source,
                             "date": (data_date or timezone.localdate()).isoformat()})
    run.save()
    folder = Path(settings.UPLOAD_ROOT) / f"compare-{run.pk}"
    folder.mkdir(parents=True, exist_ok=True)
    for index, upload in enumerate(files):
        with open(folder / f"{index}{Path(upload.name).suffix.lower()}", "wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
    run.folder = str(folder)
    run.save(update_fields=["folder"])
    transaction.on_commit(lambda: run_compare.enqueue(run.pk))
    return run


@task()
def run_compare(run_id: int) -> str:
    """The background half: load the files (all or nothing), then match and raise signals."""
    run = CompareRun.objects.select_related("created_by").get(pk=run_id)
    CompareRun.objects.filter(pk=run.pk).update(status=CompareRun.Status.RUNNING)

    def progress(stage: str, percent: int) -> None:
        CompareRun.objects.filter(pk=run.pk).update(stage=stage, percent=percent)

    folder = Path(run.folder)
    paths = sorted((p for p in folder.iterdir() if p.stem.isdigit()), key=lambda p: int(p.stem)) if folder.is_dir() \
        else []
    names = {p: run.upload["files"][int(p.stem)] for p in paths}
    kind = KINDS[run.kind]
    try:
        report = dataset_load(kind=kind, paths=paths, acting_user=run.created_by, source=run.upload.get("source", ""),
                              data_date=datetime.date.fromisoformat(run.upload["date"]), display_names=names,
                              via=_("网页上传"), progress=progress)
        if not report.ok:
            CompareRun.objects.filter(pk=run.pk).update(
                status=CompareRun.Status.REFUSED, stage=_("有错误，未导入"), percent=100, finished_at=timezone.now(),
                issues=[i.as_dict() for i in report.issues[:5000]])
            return CompareRun.Status.REFUSED
        run.batch = report.batch
        run.save(update_fields=["batch"])
        compare_run_execute(kind=kind, org=run.org, acting_user=run.created_by, run=run, batch=report.batch,
                            progress=progress)
    except PermissionDenied:
        CompareRun.objects.filter(pk=run.pk).update(status=CompareRun.Status.REFUSED, stage=_("您的角色不能做部门比对"),
                                                    finished_at=timezone.now())
    except Exception:  # loading and matching are each one transaction: nothing half-written
        logger.exception("comparison run %s failed", run_id)
        CompareRun.objects.filter(pk=run.pk).update(status=CompareRun.Status.FAILED,
                                                    stage=_("系统错误，请联系系统管理员"), finished_at=timezone.now())
    finally:
        for path in paths:  # other departments' personal data: kept in the database, not as loose files
            path.unlink(missing_ok=True)
    return CompareRun.objects.get(pk=run.pk).status


