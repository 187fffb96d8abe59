"""督查督办 records: the units that answer for work (单位), batches of items as a 督导组 or a meeting hands
them over, each ledger item (整改问题, 重点工作, 重点项目) with its progress log and milestones, and 考评:
目标责任书, the year's scoring scheme, the county's manual scores and the published appraisals.

A county's records carry its division code (`county`), so reach is a range of codes as elsewhere.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from jingzhun.workflows.models import evidence_storage

from .vocab import AgencyKind, EventKind, ItemKind, ItemState, OPEN_STATES, Source, Timing


class Agency(models.Model):
    """单位: a township government, a village committee or a county department (县直部门) that leads, answers
    for and is appraised on ledger items.

    A township's or village's unit is bound to its division (`org`): the township officer (the village clerk)
    acts for it. A department has no division; its staff are the users listed in `staff` (role 县直部门).
    """

    Kind = AgencyKind

    county = models.ForeignKey("orgunits.OrgUnit", verbose_name=_("所属县"), on_delete=models.PROTECT,
                               related_name="+")
    kind = models.CharField(_("单位类别"), max_length=12, choices=AgencyKind.choices)
    name = models.CharField(_("单位名称"), max_length=64)
    org = models.OneToOneField("orgunits.OrgUnit", verbose_name=_("对应区划"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="agency")
    staff = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("经办人员"), blank=True,
                                   related_name="agencies")
    active = models.BooleanField(_("在用"), default=True)
    history = HistoricalRecords(m2m_fields=[staff])

    class Meta:
        verbose_name = _("单位")
        verbose_name_plural = _("单位")
        ordering = ["county", "kind", "name"]
        constraints = [models.UniqueConstraint(fields=["county", "name"], name="agency_unique_name")]

    def __str__(self) -> str:
        return self.name


class Batch(models.Model):
    """一批交办事项: what a 督导组, an inspection, an audit or a meeting handed over at once
    (e.g. "省督导组反馈问题（2020年第1批）")."""

    county = models.ForeignKey("orgunits.OrgUnit", verbose_name=_("县"), on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("批次名称"), max_length=128)
    source = models.CharField(_("问题来源"), max_length=12, choices=Source.choices)
    kind = models.CharField(_("台账类别"), max_length=8, choices=ItemKind.choices, default=ItemKind.PROBLEM)
    #: Who handed it over (省脱贫攻坚第三督导组, 县委常委会 …).
    issued_by = models.CharField(_("交办单位"), max_length=128, blank=True)
    #: The day it was received (for a meeting: the day the meeting was held).
    received_on = models.DateField(_("交办日期"))
    #: The deadline items take unless they carry their own (e.g. "6 月底前全部实现销号清零").
    deadline = models.DateField(_("整改时限"), null=True, blank=True)
    #: SHA-256 of the spreadsheet it was imported from ("" when entered by hand).
    file_sha256 = models.CharField(_("导入文件摘要（SHA-256）"), max_length=64, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("登记人"), on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("交办批次")
        verbose_name_plural = _("交办批次")
        ordering = ["county", "-received_on", "-id"]
        constraints = [models.UniqueConstraint(fields=["county", "name"], name="batch_unique_name")]

    def __str__(self) -> str:
        return self.name


class Item(models.Model):
    """台账事项: one problem to rectify, key task or key project, from 交办 to 销号.

    The flow is 交办 (assigned) → 签收 (doing) → 办理 (progress events) → 办结报告 (reported) → 复核: passed
    (closed, 销号 on `closed_on`) or sent back with a reason (doing again). A closed item may be reopened
    with a reason (`reopened` counts it). The reviewer is never the person who reported it done.
    """

    Kind = ItemKind
    State = ItemState

    county = models.ForeignKey("orgunits.OrgUnit", verbose_name=_("县"), on_delete=models.PROTECT, related_name="+")
    batch = models.ForeignKey(Batch, verbose_name=_("交办批次"), null=True, blank=True, on_delete=models.PROTECT,
                              related_name="items")
    kind = models.CharField(_("台账类别"), max_length=8, choices=ItemKind.choices, default=ItemKind.PROBLEM)
    source = models.CharField(_("问题来源"), max_length=12, choices=Source.choices)
    #: 序号 within the batch, as the 督导组's list numbers it.
    number = models.PositiveIntegerField(_("序号"), default=0)
    #: 方面: the heading the item is listed under (e.g. "精准识别", "饮水安全").
    aspect = models.CharField(_("方面"), max_length=64, blank=True)
    title = models.TextField(_("问题（任务）"))
    detail = models.TextField(_("具体表现"), blank=True)
    affected_units = models.ManyToManyField("orgunits.OrgUnit", verbose_name=_("涉及单位"), blank=True,
                                            related_name="+")
    households = models.ManyToManyField("registry.Household", verbose_name=_("涉及农户"), blank=True,
                                        related_name="ledger_items")
    lead_agency = models.ForeignKey(Agency, verbose_name=_("牵头单位"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="led_items")
    agency = models.ForeignKey(Agency, verbose_name=_("责任单位"), null=True, blank=True, on_delete=models.PROTECT,
                               related_name="items")
    responsible = models.CharField(_("责任人"), max_length=64, blank=True)
    measures = models.TextField(_("整改措施"), blank=True)
    deadline = models.DateField(_("整改时限"), null=True, blank=True)
    state = models.CharField(_("状态"), max_length=10, choices=ItemState.choices, default=ItemState.DRAFT)
    #: 形象进度 of a task or project (0–100), as last reported.
    percent = models.PositiveSmallIntegerField(_("完成进度（%）"), default=0, validators=[MaxValueValidator(100)])
    #: 总投资 of a key project, in 万元.
    investment = models.DecimalField(_("总投资（万元）"), max_digits=12, decimal_places=2, null=True, blank=True,
                                     validators=[MinValueValidator(0)])
    #: The 项目库 project a key project is, when it is one.
    project = models.ForeignKey("assistance.Project", verbose_name=_("项目库项目"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="ledger_items")
    #: Data problems (checks, comparisons, assessment findings) gathered into this item: closing it needs
    #: each to be fixed or approved as an exception.
    problems = models.ManyToManyField("checks.Problem", verbose_name=_("归集问题数据"), blank=True,
                                      related_name="ledger_items")
    #: 监测线索 gathered into this item: closing it needs each to be decided.
    leads = models.ManyToManyField("monitoring.Lead", verbose_name=_("归集监测线索"), blank=True,
                                   related_name="ledger_items")
    assigned_at = models.DateTimeField(_("交办时间"), null=True, blank=True)
    signed_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("签收人"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    reported_at = models.DateTimeField(_("办结报告时间"), null=True, blank=True)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("报告人"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    closed_on = models.DateField(_("销号日期"), null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("复核人"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    reopened = models.PositiveSmallIntegerField(_("重新整改次数"), default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("登记人"), on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("台账事项")
        verbose_name_plural = _("整改台账")
        ordering = ["county", "batch", "number", "id"]
        indexes = [models.Index(fields=["county", "state", "deadline"]),
                   models.Index(fields=["agency", "state"])]

    def __str__(self) -> str:
        return f"{self.number}. {self.title[:40]}" if self.number else self.title[:40]

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    def days_left(self, today: datetime.date) -> int | None:
        """Days until the deadline (negative when overdue); None with no deadline or once closed."""
        if self.deadline is None or not self.is_open:
            return None
        return (self.deadline - today).days

    def timing(self, today: datetime.date, warning_days: int) -> str:
        """The deadline colour: on time, due within `warning_days`, overdue; closed on time or late."""
        if self.deadline is None:
            return Timing.NO_DEADLINE
        if not self.is_open:
            return Timing.CLOSED_ON_TIME if self.closed_on and self.closed_on <= self.deadline else Timing.CLOSED_LATE
        if today > self.deadline:
            return Timing.OVERDUE
        if (self.deadline - today).days <= warning_days:
            return Timing.DUE_SOON
        return Timing.ON_TIME


class ItemEvent(models.Model):
    """One entry of an item's progress log (交办, 签收, 进展 with evidence, 办结报告, 复核, 销号, 重新整改),
    never edited."""

    Kind = EventKind

    item = models.ForeignKey(Item, verbose_name=_("台账事项"), on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("类型"), max_length=12, choices=EventKind.choices)
    note = models.TextField(_("说明"), blank=True)
    percent = models.PositiveSmallIntegerField(_("完成进度（%）"), null=True, blank=True,
                                               validators=[MaxValueValidator(100)])
    #: 佐证材料: a PDF or a photo, checked by its content.
    evidence = models.FileField(_("佐证材料"), storage=evidence_storage, upload_to="supervision/evidence",
                                blank=True, max_length=255)
    evidence_name = models.CharField(_("材料名称"), max_length=200, blank=True)
    state_after = models.CharField(_("办理后状态"), max_length=10, choices=ItemState.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("操作人"), on_delete=models.PROTECT,
                              related_name="+")
    at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("办理记录")
        verbose_name_plural = _("办理记录")
        ordering = ["item", "at", "id"]


class Milestone(models.Model):
    """A key project's or task's 节点: what is to be done by when, and when it was."""

    item = models.ForeignKey(Item, verbose_name=_("台账事项"), on_delete=models.CASCADE, related_name="milestones")
    name = models.CharField(_("节点"), max_length=128)
    due = models.DateField(_("计划完成日期"))
    done_on = models.DateField(_("实际完成日期"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("节点")
        verbose_name_plural = _("节点")
        ordering = ["item", "due", "id"]


class Letter(models.Model):
    """目标责任书: what a township or department undertakes for a year — targets per indicator — and the
    signed document."""

    county = models.ForeignKey("orgunits.OrgUnit", verbose_name=_("县"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("年度"))
    agency = models.ForeignKey(Agency, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="letters")
    #: [{"indicator": code, "target": number, "note": text}, …]
    targets = models.JSONField(_("目标"), default=list, blank=True)
    document = models.FileField(_("签订文本"), storage=evidence_storage, upload_to="supervision/letters",
                                blank=True, max_length=255)
    document_sha256 = models.CharField(_("文本摘要（SHA-256）"), max_length=64, blank=True)
    signed_on = models.DateField(_("签订日期"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("登记人"), on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("目标责任书")
        verbose_name_plural = _("目标责任书")
        ordering = ["county", "-year", "agency"]
        constraints = [models.UniqueConstraint(fields=["agency", "year"], name="letter_one_per_year")]


class Scheme(models.Model):
    """考评办法: a county's scoring scheme for a year, as TOML (see docs/appraisal.md); without one the
    shipped scheme (supervision/data/schemes/default.toml) applies."""

    county = models.ForeignKey("orgunits.OrgUnit", verbose_name=_("县"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("年度"))
    text = models.TextField(_("考评办法（TOML）"))
    sha256 = models.CharField(_("摘要（SHA-256）"), max_length=64)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("登记人"), on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("考评办法")
        verbose_name_plural = _("考评办法")
        ordering = ["county", "-year"]
        constraints = [models.UniqueConstraint(fields=["county", "year"], name="scheme_one_per_year")]


class ManualScore(models.Model):
    """A score the county gives by hand for a scheme item (e.g. 工作作风), with its note."""

    county = models.ForeignKey("orgunits.OrgUnit", verbose_name=_("县"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("年度"))
    agency = models.ForeignKey(Agency, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="manual_scores")
    item = models.CharField(_("考评项目"), max_length=32)
    points = models.DecimalField(_("得分"), max_digits=6, decimal_places=2)
    note = models.TextField(_("评分说明"))
    scored_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("评分人"), on_delete=models.PROTECT,
                                  related_name="+")
    scored_at = models.DateTimeField(_("评分时间"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("人工评分")
        verbose_name_plural = _("人工评分")
        ordering = ["county", "-year", "agency", "item"]
        constraints = [models.UniqueConstraint(fields=["agency", "year", "item"], name="manual_score_once")]


class Appraisal(models.Model):
    """一次考评结果: the scores as published (frozen, with the scheme's digest and the data behind each item),
    which the ranking and the 绩效考评情况通报 print."""

    county = models.ForeignKey("orgunits.OrgUnit", verbose_name=_("县"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("年度"))
    scheme_sha256 = models.CharField(_("考评办法摘要"), max_length=64)
    #: {"groups": [{"kind": ..., "rows": [{"agency": id, "name": ..., "total": ..., "rank": ..., "vetoed": ...,
    #: "items": [{"code": ..., "points": ..., "data": ...}, …]}, …]}, …]}
    results = models.JSONField(_("考评结果"), default=dict)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("发布人"), on_delete=models.PROTECT,
                                     related_name="+")
    published_at = models.DateTimeField(_("发布时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("考评结果")
        verbose_name_plural = _("考评结果")
        ordering = ["county", "-year", "-published_at"]
