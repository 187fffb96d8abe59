"""Runs of the data-quality rules and the problem records they leave (问题数据整改台账)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from jingzhun.runs.models import Run, status_field


class CheckRun(Run):
    """一次核查: which rules ran over which unit, as of when, and what changed in the ledger."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("核查中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    failure_message = _("核查失败，问题台账未改动；请联系系统管理员。")
    status = status_field(Status)
    org = models.CharField(_("核查范围"), max_length=12, blank=True)
    as_of = models.DateField(_("核查基准日"))
    rules = models.JSONField(_("规则"), default=list)
    found = models.PositiveIntegerField(_("本次发现"), default=0)
    opened = models.PositiveIntegerField(_("新增问题"), default=0)
    closed = models.PositiveIntegerField(_("自动销号"), default=0)
    snapshot_seconds = models.FloatField(_("快照耗时（秒）"), null=True, blank=True)
    rule_seconds = models.FloatField(_("规则耗时（秒）"), null=True, blank=True)

    class Meta:
        verbose_name = _("核查批次")
        verbose_name_plural = _("核查批次")
        ordering = ["-created_at"]

    def get_absolute_url(self) -> str:
        return reverse("checks:run_detail", kwargs={"run_id": self.pk})


class Problem(models.Model):
    """问题数据: one finding of one rule on one household or member, followed until it is fixed.

    Kept general (who, where, what, status, evidence trail through its history) so that the
    rectification ledger (整改台账) can take these and problems from inspections alike.
    """

    class Status(models.TextChoices):
        OPEN = "open", _("待整改")
        FIXED = "fixed", _("已整改")
        EXCEPTION_PENDING = "exception_pending", _("情况属实（待审核）")
        EXCEPTION = "exception", _("情况属实（已审核）")

    rule = models.CharField(_("规则"), max_length=16)
    household = models.CharField(_("户编号"), max_length=16)
    person = models.CharField(_("身份证号"), max_length=18, blank=True)
    village = models.CharField(_("村代码"), max_length=12)
    #: The rule's words, with placeholders for what `detail` holds (see checks.messages): never shown as is.
    message = models.TextField(_("问题说明"))
    #: What the message names (ID and phone numbers, other households), filled in for each viewer.
    detail = models.JSONField(_("问题详情"), default=dict, blank=True)
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.OPEN)
    first_run = models.ForeignKey(CheckRun, verbose_name=_("首次发现"), on_delete=models.PROTECT, related_name="+")
    last_run = models.ForeignKey(CheckRun, verbose_name=_("最近发现"), on_delete=models.PROTECT, related_name="+")
    first_seen = models.DateTimeField(_("首次发现时间"))
    last_seen = models.DateTimeField(_("最近发现时间"))
    closed_at = models.DateTimeField(_("销号时间"), null=True, blank=True)
    #: 整改时限: set for findings handed to a village with a deadline (考核评估, 随机抽查); rule runs set none.
    due = models.DateField(_("整改时限"), null=True, blank=True)
    exception_reason = models.TextField(_("情况说明"), blank=True)
    exception_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("申报人"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("审核人"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    history = HistoricalRecords(no_db_index=["village", "first_run", "last_run", "exception_by", "reviewed_by"])

    class Meta:
        verbose_name = _("问题数据")
        verbose_name_plural = _("问题数据")
        ordering = ["village", "household", "rule"]
        constraints = [models.UniqueConstraint(fields=["rule", "household", "person"], name="problem_unique")]
        indexes = [models.Index(fields=["village", "status"]), models.Index(fields=["household"]),
                   # one status in a subtree (the to-do page's open problems and claims): equality, then range
                   models.Index(fields=["status", "village"])]

    def __str__(self) -> str:
        return f"{self.rule} {self.household} {self.person}".strip()


class ProblemReview(models.Model):
    """情况属实的申报与审核: one claim or decision on a problem, appended and never changed.

    A problem can be claimed, rejected and claimed again: each step is a row, so an earlier reviewer's
    decision stays visible beside the later ones (the problem's own fields hold only the latest).
    """

    class Action(models.TextChoices):
        CLAIM = "claim", _("申报情况属实")
        APPROVE = "approve", _("审核通过")
        REJECT = "reject", _("审核退回")

    problem = models.ForeignKey(Problem, verbose_name=_("问题数据"), on_delete=models.CASCADE, related_name="reviews")
    action = models.CharField(_("操作"), max_length=10, choices=Action.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True,
                           on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(_("时间"))
    note = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("情况属实审核记录")
        verbose_name_plural = _("情况属实审核记录")
        ordering = ["problem", "at", "id"]


class ProblemCount(models.Model):
    """Counts after each run, by rule, village and status: the ledger's figures over time."""

    run = models.ForeignKey(CheckRun, on_delete=models.CASCADE, related_name="counts")
    rule = models.CharField(_("规则"), max_length=16)
    village = models.CharField(_("村代码"), max_length=12)
    status = models.CharField(_("状态"), max_length=20, choices=Problem.Status.choices)
    count = models.PositiveIntegerField(_("数量"))

    class Meta:
        verbose_name = _("问题统计")
        verbose_name_plural = _("问题统计")
        indexes = [models.Index(fields=["run", "village"])]
