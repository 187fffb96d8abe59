"""帮扶措施: the help a household (or one of its members) receives in a year, by type."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from jingzhun.workflows.models import evidence_storage

from ..vocab import measure_type_choices

MONEY = {"max_digits": 12, "decimal_places": 2}


class Measure(models.Model):
    """一项帮扶措施: type (data/measure_types.toml), year, amount, dates, unit and the type's details."""

    household = models.ForeignKey("registry.Household", verbose_name=_("户"), on_delete=models.PROTECT,
                                  related_name="measures")
    #: For types given to one person (就业, 公益岗位, 教育, 健康, 护林员); blank for the whole household.
    member = models.ForeignKey("registry.Member", verbose_name=_("受益人员"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="measures")
    year = models.PositiveSmallIntegerField(_("年度"))
    type = models.CharField(_("措施类型"), max_length=16, choices=measure_type_choices)
    name = models.CharField(_("措施名称"), max_length=128)
    amount = models.DecimalField(_("金额（元）"), null=True, blank=True, validators=[MinValueValidator(0)],
                                 **MONEY)
    start = models.DateField(_("开始日期"))
    end = models.DateField(_("结束日期"), null=True, blank=True)
    responsible_unit = models.CharField(_("责任单位"), max_length=128, blank=True)
    #: 脱贫不脱政策: whether the measure goes on after the household's exit or 风险消除.
    continues_after_exit = models.BooleanField(_("脱贫（风险消除）后继续享受"), default=True)
    #: The type's own details (keys as in measure_types.toml), validated by the services.
    details = models.JSONField(_("措施明细"), default=dict, blank=True)
    note = models.TextField(_("备注"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("登记人"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("帮扶措施")
        verbose_name_plural = _("帮扶措施")
        ordering = ["household_id", "-year", "type", "id"]
        indexes = [models.Index(fields=["household", "year"]), models.Index(fields=["year", "type"])]

    def __str__(self) -> str:
        return f"{self.year} {self.get_type_display()}·{self.name}"


class MeasureEvidence(models.Model):
    """佐证材料 of a measure (a contract, a payment list, a photo)."""

    measure = models.ForeignKey(Measure, verbose_name=_("帮扶措施"), on_delete=models.CASCADE,
                                related_name="evidence")
    file = models.FileField(_("文件"), storage=evidence_storage, upload_to="assistance/%Y/%m", max_length=255)
    name = models.CharField(_("文件名"), max_length=255)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("上传人"), on_delete=models.PROTECT,
                                    related_name="+")
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("措施佐证材料")
        verbose_name_plural = _("措施佐证材料")
        ordering = ["measure", "id"]
