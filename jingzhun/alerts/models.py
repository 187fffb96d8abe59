"""Alert batches (部门预警数据批次), their records and the hits the alert rules raise on them."""

from __future__ import annotations

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jingzhun.compare.models import LoadedFiles

from .kinds import ALERT_KINDS

KIND_CHOICES = [(k.code, _(k.label)) for k in ALERT_KINDS.values()]  # the labels are msgids (kinds.py)


class AlertBatch(LoadedFiles):
    """一批部门预警数据: one loaded file set of one kind, who loaded it and when, the pack it was judged by."""

    kind = models.CharField(_("数据类别"), max_length=16, choices=KIND_CHOICES)
    #: matched (exact, fuzzy), hits, leads: what the load found.
    counts = models.JSONField(_("结果统计"), default=dict, blank=True)
    #: The thresholds used and where each came from (the pack's [alerts] tables and its titles).
    policy = models.JSONField(_("预警标准"), default=dict, blank=True)

    class Meta:
        verbose_name = _("部门预警数据批次")
        verbose_name_plural = _("部门预警数据批次")
        ordering = ["-loaded_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.data_date} ({self.rows})"

    def get_absolute_url(self) -> str:
        return reverse("alerts:batch", kwargs={"batch_id": self.pk})


class AlertRecord(models.Model):
    """部门预警记录: one row of a batch, the registry member it was matched to (if any) and how."""

    class Method(models.TextChoices):
        EXACT = "exact", _("身份证号一致")
        FUZZY = "fuzzy", _("姓名等信息相似")
        NONE = "", _("未匹配")

    batch = models.ForeignKey(AlertBatch, on_delete=models.CASCADE, related_name="records")
    row = models.PositiveIntegerField(_("行号"))
    name = models.CharField(_("姓名"), max_length=64)
    id_number = models.CharField(_("身份证号"), max_length=18, blank=True)
    sex = models.CharField(_("性别"), max_length=1, blank=True)
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    village = models.CharField(_("村代码"), max_length=12, blank=True)
    address = models.CharField(_("住址"), max_length=255, blank=True)
    extra = models.JSONField(_("其他字段"), default=dict)
    member_id = models.BigIntegerField(_("成员"), null=True, blank=True)
    household = models.CharField(_("户编号"), max_length=16, blank=True)
    method = models.CharField(_("匹配方式"), max_length=8, choices=Method.choices, blank=True)
    match_weight = models.FloatField(_("匹配权重"), null=True, blank=True)

    class Meta:
        verbose_name = _("部门预警记录")
        verbose_name_plural = _("部门预警记录")


class AlertHit(models.Model):
    """预警: one rule firing on one person of a batch, with the figures behind it and the lead it became."""

    class Group(models.TextChoices):
        MONITORED = "monitored", _("脱贫人口或监测对象")
        OTHERS = "others", _("其他人员")

    batch = models.ForeignKey(AlertBatch, on_delete=models.CASCADE, related_name="hits")
    record = models.ForeignKey(AlertRecord, on_delete=models.CASCADE, related_name="hits")
    rule = models.CharField(_("预警规则"), max_length=16)
    risk_type = models.CharField(_("风险类型"), max_length=16)
    village = models.CharField(_("村代码"), max_length=12, blank=True)
    household = models.CharField(_("户编号"), max_length=16, blank=True)
    member_id = models.BigIntegerField(_("成员"), null=True, blank=True)
    person = models.CharField(_("身份证号"), max_length=18, blank=True)
    person_name = models.CharField(_("姓名"), max_length=64)
    group = models.CharField(_("人员类别"), max_length=10, choices=Group.choices)
    figures = models.JSONField(_("预警依据"), default=dict)
    #: The lead (线索) the monitoring app made of this hit (or joined it to).
    lead = models.ForeignKey("monitoring.Lead", verbose_name=_("线索"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")
    #: Why the hit did not become a lead (no village, out of reach, refused by the monitoring app).
    lead_error = models.CharField(_("未转线索的原因"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("预警")
        verbose_name_plural = _("预警")
        ordering = ["village", "household", "rule", "pk"]
        indexes = [models.Index(fields=["batch", "village"])]
