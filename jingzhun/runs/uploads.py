"""Files uploaded for a run: checked before the run is queued, stored under names of our own.

The run's task reads them and `Run.discard_uploads` deletes them (the reaper too, for a dead run).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

ALLOWED_SUFFIXES = (".xlsx", ".csv")


def uploads_check(files: Sequence[UploadedFile], *, wrong_type: str) -> None:
    """ValidationError for a file that is not .xlsx/.csv (`wrong_type` % {"name": …}) or is too large."""
    for upload in files:
        if not upload.name.lower().endswith(ALLOWED_SUFFIXES):
            raise ValidationError(wrong_type % {"name": upload.name})
        if upload.size > settings.JINGZHUN_MAX_UPLOAD_BYTES:
            raise ValidationError(_("“%(name)s”超过 %(mb)d MB，请拆分后上传。")
                                  % {"name": upload.name, "mb": settings.JINGZHUN_MAX_UPLOAD_BYTES // 2**20})


def uploads_store(files: Sequence[UploadedFile], folder: Path) -> None:
    """Write the files into `folder` as 0.xlsx, 1.csv… (the person's file names are kept only for display)."""
    folder.mkdir(parents=True, exist_ok=True)
    for index, upload in enumerate(files):
        with open(folder / f"{index}{Path(upload.name).suffix.lower()}", "wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
