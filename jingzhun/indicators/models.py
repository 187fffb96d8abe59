"""Stored indicator values: one refresh computes every org unit at every level (DHIS2's analytics tables).

Pages and the API read these rows instead of computing on request, and since every refresh is kept
(see services.refresh_prune), a page can show the value at an earlier date and a trend.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from jingzhun.runs.models import Run, status_field


class IndicatorRefresh(Run):
    """指标更新: one computation of the indicators of every org unit from one snapshot of the registry."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("计算中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    failure_message = _("指标更新失败，看板继续显示上一次的结果；请联系系统管理员。")
    status = status_field(Status)
    as_of = models.DateField(_("基准日"))
    reason = models.CharField(_("原因"), max_length=200, blank=True)
    units = models.PositiveIntegerField(_("单位数"), default=0)
    members = models.PositiveBigIntegerField(_("人数"), default=0)
    snapshot_seconds = models.FloatField(_("读取用时（秒）"), default=0)
    compute_seconds = models.FloatField(_("计算用时（秒）"), default=0)
    store_seconds = models.FloatField(_("保存用时（秒）"), default=0)

    class Meta:
        verbose_name = _("指标更新")
        verbose_name_plural = _("指标更新")
        ordering = ["-id"]
        indexes = [models.Index(fields=["status", "finished_at"])]

    def __str__(self) -> str:
        return f"{self.pk} {self.as_of} {self.status}"


class UnitIndicators(models.Model):
    """The indicators of one org unit in one refresh: {code: value} plus CAUSES, EXITS_BY_YEAR and INCOME."""

    refresh = models.ForeignKey(IndicatorRefresh, on_delete=models.CASCADE, related_name="units_values")
    org = models.CharField(_("区划代码"), max_length=12)
    values = models.JSONField(_("指标值"))

    class Meta:
        verbose_name = _("单位指标")
        verbose_name_plural = _("单位指标")
        constraints = [models.UniqueConstraint(fields=["refresh", "org"], name="unit_indicators_unique")]
        indexes = [models.Index(fields=["org", "refresh"])]
