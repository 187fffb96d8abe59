"""项目库 and 衔接资金: projects from 入库 to 验收, their funds by source, and spending."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ..vocab import FundSource, ProjectCategory, ProjectState

MONEY = {"max_digits": 14, "decimal_places": 2}


class Project(models.Model):
    """一个项目库项目: what is built or funded, where, when, by whom, for whom, and its targets."""

    State = ProjectState
    Category = ProjectCategory

    county = models.ForeignKey("orgunits.OrgUnit", verbose_name=_("县"), on_delete=models.PROTECT,
                               related_name="+")
    code = models.CharField(_("项目编号"), max_length=32)
    name = models.CharField(_("项目名称"), max_length=200)
    category = models.CharField(_("项目类别"), max_length=16, choices=ProjectCategory.choices)
    year = models.PositiveSmallIntegerField(_("年度"))
    villages = models.ManyToManyField("orgunits.OrgUnit", verbose_name=_("实施村"), related_name="+", blank=True)
    planned_start = models.DateField(_("计划开工日期"), null=True, blank=True)
    planned_end = models.DateField(_("计划完工日期"), null=True, blank=True)
    responsible_unit = models.CharField(_("项目主管单位"), max_length=128)
    #: 监督电话: where the public objects to a 公示 (the responsible unit's office phone, printed on notices).
    contact_phone = models.CharField(_("监督电话"), max_length=20, blank=True)
    output_target = models.TextField(_("产出指标"), blank=True)
    benefit_target = models.TextField(_("效益指标"), blank=True)
    #: 带贫减贫机制: how the project helps the households (dividends, jobs, rent, …).
    mechanism = models.TextField(_("带贫减贫机制"), blank=True)
    beneficiaries = models.ManyToManyField("registry.Household", verbose_name=_("受益户"), related_name="projects",
                                           blank=True)
    state = models.CharField(_("项目状态"), max_length=12, choices=ProjectState.choices,
                             default=ProjectState.LISTED)
    percent_complete = models.PositiveSmallIntegerField(_("形象进度（%）"), default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("录入人"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("项目")
        verbose_name_plural = _("项目库")
        ordering = ["county", "-year", "code"]
        constraints = [models.UniqueConstraint(fields=["county", "code"], name="project_unique_code")]
        indexes = [models.Index(fields=["county", "year", "state"])]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class ProjectFund(models.Model):
    """资金来源: the money planned for a project from one source."""

    project = models.ForeignKey(Project, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="funds")
    source = models.CharField(_("资金来源"), max_length=10, choices=FundSource.choices)
    amount = models.DecimalField(_("计划金额（元）"), validators=[MinValueValidator(0)], **MONEY)
    history = HistoricalRecords()  # a changed plan keeps its earlier amounts and who changed them

    class Meta:
        verbose_name = _("项目资金")
        verbose_name_plural = _("项目资金")
        ordering = ["project", "source"]
        constraints = [models.UniqueConstraint(fields=["project", "source"], name="fund_one_per_source")]


class ProjectSpending(models.Model):
    """资金支出: one payment from a source (a 拨付 / 报账), for the execution rate."""

    project = models.ForeignKey(Project, verbose_name=_("项目"), on_delete=models.PROTECT, related_name="spending")
    source = models.CharField(_("资金来源"), max_length=10, choices=FundSource.choices)
    paid_on = models.DateField(_("支出日期"))
    amount = models.DecimalField(_("支出金额（元）"), validators=[MinValueValidator(0)], **MONEY)
    note = models.CharField(_("摘要"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("录入人"), on_delete=models.PROTECT,
                                    related_name="+")
    recorded_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("资金支出")
        verbose_name_plural = _("资金支出")
        ordering = ["project", "paid_on", "id"]


class ProjectEvent(models.Model):
    """One step of a project's life (入库, 公示 with its notice, 开工, 竣工, 验收, 终止), never edited."""

    project = models.ForeignKey(Project, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="events")
    state = models.CharField(_("状态"), max_length=12, choices=ProjectState.choices)
    note = models.TextField(_("说明"), blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("操作人"), on_delete=models.PROTECT,
                              related_name="+")
    at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("项目记录")
        verbose_name_plural = _("项目记录")
        ordering = ["project", "at", "id"]
