"""Uploaded imports and their progress (the background task writes, the page polls)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportJob(models.Model):
    """一次网页导入: the uploaded files, where the background import is, and what it found."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("导入中")
        DONE = "done", _("已导入")
        CHECKED = "checked", _("检查通过（试导入，未写入）")
        REFUSED = "refused", _("有错误，未导入")
        FAILED = "failed", _("系统错误，未导入")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("上传人"), on_delete=models.PROTECT,
                                   related_name="import_jobs")
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    files = models.JSONField(_("文件"), default=list)
    folder = models.CharField(_("存放目录"), max_length=255)
    dry_run = models.BooleanField(_("仅检查"), default=False)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.QUEUED)
    stage = models.CharField(_("进度说明"), max_length=64, blank=True)
    percent = models.PositiveSmallIntegerField(_("进度"), default=0)
    summary = models.JSONField(_("结果"), null=True, blank=True)
    issues = models.JSONField(_("错误"), default=list, blank=True)
    issue_count = models.PositiveIntegerField(_("错误数"), default=0)

    class Meta:
        verbose_name = _("导入任务")
        verbose_name_plural = _("导入任务")
        ordering = ["-created_at"]

    @property
    def finished(self) -> bool:
        return self.status not in (self.Status.QUEUED, self.Status.RUNNING)
