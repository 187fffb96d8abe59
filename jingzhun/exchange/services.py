"""Web imports: accept the upload and queue its import (the background half is tasks.run_import_job)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _

from jingzhun.orgunits.permissions import get_in_reach, may_import, require
from jingzhun.runs.tasks import enqueue
from jingzhun.runs.uploads import uploads_check, uploads_store

from .models import ImportJob


@transaction.atomic
def import_job_create(*, acting_user, files: list[UploadedFile], dry_run: bool = False) -> ImportJob:
    """Store the uploaded files and queue their import (after this transaction commits)."""
    require(may_import(acting_user))
    if not files:
        raise ValidationError(_("请选择要导入的文件（.xlsx 工作簿，或名为 村表/户表/人员表 的 .csv 文件）。"))
    uploads_check(files, wrong_type=_("“%(name)s”不是 .xlsx 或 .csv 文件；请用模板格式保存后再上传。"))
    if len({f.name for f in files}) != len(files):
        raise ValidationError(_("上传了同名文件，请只保留一个。"))
    job = ImportJob(triggered_by=acting_user, dry_run=dry_run, files=[Path(f.name).name for f in files])
    folder = Path(settings.UPLOAD_ROOT) / str(job.id)
    uploads_store(files, folder)
    job.folder = str(folder)
    job.save()
    enqueue(job)
    return job


def import_job_get(user, job_id) -> ImportJob:
    """A job of this user's own, or 404."""
    try:
        return get_in_reach(ImportJob.objects.filter(triggered_by=user), pk=job_id)
    except ValidationError:
        raise Http404("no such import job") from None
