"""Leads (线索) of 防止返贫致贫监测: one queue for the three channels, each report kept, each step recorded."""

from __future__ import annotations

import uuid
from pathlib import Path

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jingzhun.workflows.models import evidence_storage

from .vocab import Channel, Result, RiskType, Status


class Lead(models.Model):
    """一条线索: a household (or person) at risk, waiting for 入户核实 in its village.

    Reports of the same household (or ID number) and risk type while a lead is open join that lead
    (`reports` counts them, `LeadReport` keeps each), so a village verifies one lead, not three.
    """

    Channel = Channel
    RiskType = RiskType
    Status = Status
    Result = Result

    village = models.ForeignKey("orgunits.OrgUnit", verbose_name=_("村"), on_delete=models.PROTECT, related_name="+")
    #: Where the lead sits now: a department's lead arrives at the county and is pushed down to the village.
    unit = models.ForeignKey("orgunits.OrgUnit", verbose_name=_("所在单位"), on_delete=models.PROTECT,
                             related_name="+")
    channel = models.CharField(_("来源渠道"), max_length=16, choices=Channel.choices)
    risk_type = models.CharField(_("风险类型"), max_length=16, choices=RiskType.choices)
    household = models.ForeignKey("registry.Household", verbose_name=_("户"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    member = models.ForeignKey("registry.Member", verbose_name=_("人员"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("户主姓名"), max_length=64, blank=True)
    id_number = models.CharField(_("身份证号"), max_length=18, blank=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    description = models.TextField(_("困难描述"), blank=True)
    #: "hh:<户编号>" or "id:<身份证号>": what makes two reports the same lead (blank: never merged).
    dedup_key = models.CharField(_("去重键"), max_length=24, blank=True, editable=False)
    reports = models.PositiveIntegerField(_("报告次数"), default=1)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING)
    result = models.CharField(_("核实结果"), max_length=10, choices=Result.choices, blank=True)
    result_reason = models.TextField(_("核实说明"), blank=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True, db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("登记人"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    #: 入户核实 due (working days from the pack) and the decision due (days from the pack).
    verify_due = models.DateField(_("核实期限"))
    decide_due = models.DateField(_("决定期限"))
    verified_at = models.DateTimeField(_("核实时间"), null=True, blank=True)
    verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("核实人"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("线索")
        verbose_name_plural = _("线索")
        ordering = ["verify_due", "id"]
        constraints = [
            # Two reports racing past the lookup still cannot open two leads (the service retries as a merge).
            models.UniqueConstraint(fields=["dedup_key", "risk_type"], name="monitoring_one_open_lead",
                                    condition=Q(status="pending") & ~Q(dedup_key="")),
        ]
        indexes = [models.Index(fields=["unit", "status"]), models.Index(fields=["village", "status"])]

    def __str__(self) -> str:
        return f"{self.name or self.household_id or self.pk}·{self.get_risk_type_display()}"


class LeadReport(models.Model):
    """One report as it came in (a farmer's form, a clerk's record, a department's alert row). Never edited."""

    lead = models.ForeignKey(Lead, verbose_name=_("线索"), on_delete=models.CASCADE, related_name="report_rows")
    #: The number given to the reporter (the public page shows it once).
    reference = models.CharField(_("受理编号"), max_length=20, unique=True)
    channel = models.CharField(_("来源渠道"), max_length=16, choices=Channel.choices)
    name = models.CharField(_("户主姓名"), max_length=64, blank=True)
    id_number = models.CharField(_("身份证号"), max_length=18, blank=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    description = models.TextField(_("困难描述"), blank=True)
    #: Where a department alert came from, e.g. "医保 2026-11 批次 #12 第 35 行".
    source_ref = models.CharField(_("来源记录"), max_length=120, blank=True)
    details = models.JSONField(_("预警数据"), default=dict, blank=True)
    #: The client address of a public report (for the rate limit); None for signed-in channels.
    client_ip = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True)
    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("登记人"), null=True, blank=True,
                           on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("线索报告")
        verbose_name_plural = _("线索报告")
        ordering = ["lead", "at", "id"]


class LeadEvent(models.Model):
    """What happened to a lead: reported again, pushed down, reassigned, verified, evidence added."""

    class Kind(models.TextChoices):
        CREATED = "created", _("登记")
        MERGED = "merged", _("重复报告并入")
        PUSHED = "pushed", _("下发")
        REASSIGNED = "reassigned", _("改派")
        VERIFIED = "verified", _("核实")
        EVIDENCE = "evidence", _("上传承诺授权书")

    lead = models.ForeignKey(Lead, verbose_name=_("线索"), on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("事项"), max_length=12, choices=Kind.choices)
    note = models.TextField(_("说明"), blank=True)
    data = models.JSONField(_("内容"), default=dict, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("办理人"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("线索记录")
        verbose_name_plural = _("线索记录")
        ordering = ["lead", "at", "id"]


def _evidence_name(evidence: "LeadEvidence", filename: str) -> str:
    return f"leads/{evidence.lead_id}/{uuid.uuid4().hex}{Path(filename).suffix.lower()}"


class LeadEvidence(models.Model):
    """承诺授权书: the photographed, signed 《监测对象申请及承诺授权查询书》 of a verified lead. Never edited."""

    lead = models.ForeignKey(Lead, verbose_name=_("线索"), on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(_("文件"), storage=evidence_storage, upload_to=_evidence_name, max_length=255)
    name = models.CharField(_("文件名"), max_length=255)
    content_type = models.CharField(_("类型"), max_length=32)
    size = models.PositiveIntegerField(_("大小"))
    sha256 = models.CharField(_("校验值"), max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("上传人"), on_delete=models.PROTECT,
                                    related_name="+")
    at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("承诺授权书")
        verbose_name_plural = _("承诺授权书")
        ordering = ["lead", "at", "id"]
