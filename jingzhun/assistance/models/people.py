"""The people who help: 帮扶单位, 驻村工作队 and its members, 帮扶责任人's households over time, 帮扶责任书."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from jingzhun.workflows.models import evidence_storage

from ..vocab import TeamRole


class HelpUnit(models.Model):
    """帮扶单位: a department, company or institution that sends cadres and a work team."""

    county = models.ForeignKey("orgunits.OrgUnit", verbose_name=_("所属县"), on_delete=models.PROTECT,
                               related_name="+")
    name = models.CharField(_("单位名称"), max_length=128)
    level = models.CharField(_("单位层级"), max_length=16, blank=True,
                             help_text=_("如：中直、省直、市直、县直、企业、其他。"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("帮扶单位")
        verbose_name_plural = _("帮扶单位")
        ordering = ["county", "name"]
        constraints = [models.UniqueConstraint(fields=["county", "name"], name="helpunit_unique_name")]

    def __str__(self) -> str:
        return self.name


class WorkTeam(models.Model):
    """驻村工作队: the team a help unit stations in one village for a term."""

    village = models.ForeignKey("orgunits.OrgUnit", verbose_name=_("驻村"), on_delete=models.PROTECT,
                                related_name="+")
    help_unit = models.ForeignKey(HelpUnit, verbose_name=_("派出单位"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="teams")
    start = models.DateField(_("派驻日期"))
    end = models.DateField(_("撤离日期"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("驻村工作队")
        verbose_name_plural = _("驻村工作队")
        ordering = ["village", "-start"]

    def __str__(self) -> str:
        return _("%(village)s驻村工作队") % {"village": self.village.name}


class WorkTeamMember(models.Model):
    """A member of a work team: 队长, 第一书记 or 队员, with the term served; may sign in."""

    team = models.ForeignKey(WorkTeam, verbose_name=_("驻村工作队"), on_delete=models.PROTECT,
                             related_name="members")
    name = models.CharField(_("姓名"), max_length=64)
    role = models.CharField(_("职务"), max_length=10, choices=TeamRole.choices, default=TeamRole.MEMBER)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    help_unit = models.ForeignKey(HelpUnit, verbose_name=_("派出单位"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    start = models.DateField(_("到岗日期"))
    end = models.DateField(_("离岗日期"), null=True, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("登录账号"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="team_memberships")
    history = HistoricalRecords(excluded_fields=["user"])

    class Meta:
        verbose_name = _("工作队队员")
        verbose_name_plural = _("工作队队员")
        ordering = ["team", "role", "start", "id"]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_role_display()}）"


class CadreAssignment(models.Model):
    """帮扶结对: one cadre helping one household over a period. `Household.cadre` is the current one."""

    household = models.ForeignKey("registry.Household", verbose_name=_("户"), on_delete=models.PROTECT,
                                  related_name="cadre_assignments")
    cadre = models.ForeignKey("registry.AssistanceCadre", verbose_name=_("帮扶责任人"), on_delete=models.PROTECT,
                              related_name="assignments")
    start = models.DateField(_("结对日期"))
    end = models.DateField(_("解除日期"), null=True, blank=True)
    reason = models.CharField(_("调整原因"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("操作时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("帮扶结对")
        verbose_name_plural = _("帮扶结对")
        ordering = ["household", "-start", "-id"]
        constraints = [models.UniqueConstraint(fields=["household"], condition=Q(end__isnull=True),
                                               name="assignment_one_current_per_household")]


class ResponsibilityLetter(models.Model):
    """帮扶责任书: a cadre's signed letter of responsibility for one year (the signed PDF)."""

    cadre = models.ForeignKey("registry.AssistanceCadre", verbose_name=_("帮扶责任人"), on_delete=models.PROTECT,
                              related_name="letters")
    year = models.PositiveSmallIntegerField(_("年度"))
    signed_on = models.DateField(_("签订日期"))
    file = models.FileField(_("签字扫描件"), storage=evidence_storage, upload_to="letters/%Y", max_length=255)
    name = models.CharField(_("文件名"), max_length=255)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("上传人"), on_delete=models.PROTECT,
                                    related_name="+")
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    # A replaced letter (a wrong scan, a re-signed one) stays: its history row keeps the old file's name,
    # signing date and uploader, and the old file is never deleted from storage.
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("帮扶责任书")
        verbose_name_plural = _("帮扶责任书")
        ordering = ["cadre", "-year"]
        constraints = [models.UniqueConstraint(fields=["cadre", "year"], name="letter_one_per_cadre_year")]
