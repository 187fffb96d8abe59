"""Uploaded imports and their progress (the background task writes, the page polls)."""

from __future__ import annotations

import uuid
from pathlib import Path

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jingzhun.runs.models import Run, status_field


class ImportJob(Run):
    """一次网页导入: the uploaded files, where the background import is, and what it found."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("导入中")
        DONE = "done", _("已导入")
        CHECKED = "checked", _("检查通过（试导入，未写入）")
        REFUSED = "refused", _("有错误，未导入")
        FAILED = "failed", _("系统错误，未导入")

    failure_message = _("系统错误，数据未改动；请联系系统管理员")
    status = status_field(Status)
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    triggered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("上传人"), on_delete=models.PROTECT,
                                     related_name="import_jobs")
    files = models.JSONField(_("文件"), default=list)
    folder = models.CharField(_("存放目录"), max_length=255)
    dry_run = models.BooleanField(_("仅检查"), default=False)
    summary = models.JSONField(_("结果"), null=True, blank=True)
    issues = models.JSONField(_("错误"), default=list, blank=True)
    issue_count = models.PositiveIntegerField(_("错误数"), default=0)

    class Meta:
        verbose_name = _("导入任务")
        verbose_name_plural = _("导入任务")
        ordering = ["-created_at"]

    def get_absolute_url(self) -> str:
        return reverse("exchange:import_job", kwargs={"job_id": self.pk})

    def upload_folder(self) -> Path | None:
        return Path(self.folder) if self.folder else None
