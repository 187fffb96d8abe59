"""Procedures, their step records, 公示 batches with objections and photos, and the dynamic adjustment ledger."""

from __future__ import annotations

import os
import uuid
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from . import clock
from .definitions import ChangeType, Kind, step_of


class EvidenceStorage(FileSystemStorage):
    """Evidence files under $UPLOAD_ROOT/evidence, the setting read on every use (never frozen into a
    migration or the first request)."""

    @property
    def base_location(self):
        return str(settings.UPLOAD_ROOT / "evidence")

    @property
    def location(self):
        return os.path.abspath(self.base_location)


def evidence_storage() -> EvidenceStorage:
    return EvidenceStorage()


class Procedure(models.Model):
    """一个程序: one household's way into, out of or through the registry, step by step."""

    Kind = Kind

    class State(models.TextChoices):
        OPEN = "open", _("办理中")
        DONE = "done", _("已完成")
        REJECTED = "rejected", _("已终止")

    kind = models.CharField(_("程序"), max_length=16, choices=Kind.choices)
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.OPEN)
    #: The step waiting to be acted on (blank once the procedure is closed).
    step = models.CharField(_("当前步骤"), max_length=32, blank=True)
    village = models.ForeignKey("orgunits.OrgUnit", verbose_name=_("村"), on_delete=models.PROTECT,
                                related_name="+")
    #: The registered household; for 精准识别 it is set when the county's 公告 enters it in the registry.
    household = models.ForeignKey("registry.Household", verbose_name=_("户"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="procedures")
    #: Who the procedure is about, for lists and notices (户主 of the candidate or the household).
    head_name = models.CharField(_("户主姓名"), max_length=64)
    year = models.PositiveSmallIntegerField(_("年度"), help_text=_("识别年度或脱贫年度"))
    #: What the procedure carries: the candidate household and members (精准识别), the change (人员变更),
    #: the reason category (清退), the criteria evaluation (户退出).
    payload = models.JSONField(_("内容"), default=dict, blank=True)
    reason = models.TextField(_("终止原因"), blank=True)
    #: 户退出: a county admin's written reason to let failed criteria pass, and which criteria it covers.
    override_reason = models.TextField(_("县级特批理由"), blank=True)
    override_criteria = models.JSONField(_("特批的指标"), default=list, blank=True)
    override_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("特批人"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    #: The 公示/公告 batch the procedure is in at its current step (None: not yet in a notice).
    batch = models.ForeignKey("PublicityBatch", verbose_name=_("公示批次"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="procedures")
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("发起人"), on_delete=models.PROTECT,
                                  related_name="+")
    opened_at = models.DateTimeField(_("发起时间"), default=clock.now, editable=False)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    #: 办结时限 (识别纳入): from the lead (or the opening) within the pack's monitoring.limits.decide_days.
    #: A column, so the to-do page counts overdue procedures in the database.
    due = models.DateField(_("办结时限"), null=True, blank=True)

    class Meta:
        verbose_name = _("办理程序")
        verbose_name_plural = _("办理程序")
        ordering = ["-opened_at", "-id"]
        indexes = [models.Index(fields=["village", "state"]), models.Index(fields=["state", "kind", "step"]),
                   # the open procedures of a subtree (the to-do page): an equality, then the code range
                   models.Index(fields=["state", "village"])]
        constraints = [
            # One open procedure per registered household: two officers cannot run two exits at once.
            models.UniqueConstraint(fields=["household"], condition=Q(state="open"), name="one_open_procedure"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.head_name}"

    @property
    def current_step(self):
        return step_of(self.kind, self.step) if self.step else None

    @property
    def household_code(self) -> str:
        return self.household_id or ""

    @property
    def overdue(self) -> bool:
        """Open past its 办结时限 (the date is the last day allowed)."""
        return bool(self.state == self.State.OPEN and self.due and self.due < clock.today())

    @property
    def green_channel(self) -> dict | None:
        """绿色通道: {reason, by, on} when the county entered the household before the remaining steps."""
        return self.payload.get("green_channel")


class StepRecord(models.Model):
    """一个步骤的办理记录: who, when, the decision, a note and evidence. Never edited."""

    class Decision(models.TextChoices):
        APPLIED = "applied", _("申请")
        APPROVED = "approved", _("通过")
        REJECTED = "rejected", _("不通过")
        PUBLISHED = "published", _("发布公示")
        OVERRIDE = "override", _("县级特批")
        GREEN_CHANNEL = "green", _("绿色通道先行纳入")

    procedure = models.ForeignKey(Procedure, verbose_name=_("程序"), on_delete=models.CASCADE, related_name="records")
    step = models.CharField(_("步骤"), max_length=32)
    decision = models.CharField(_("结论"), max_length=12, choices=Decision.choices)
    note = models.TextField(_("意见"), blank=True)
    data = models.JSONField(_("记录内容"), default=dict, blank=True)
    evidence = models.FileField(_("佐证材料"), storage=evidence_storage, upload_to="%Y/%m", blank=True,
                                max_length=255)
    evidence_name = models.CharField(_("材料文件名"), max_length=255, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("办理人"), on_delete=models.PROTECT,
                              related_name="+")
    at = models.DateTimeField(_("办理时间"), default=clock.now, editable=False)

    class Meta:
        verbose_name = _("办理记录")
        verbose_name_plural = _("办理记录")
        ordering = ["procedure", "at", "id"]

    @property
    def step_label(self) -> str:
        if self.decision == self.Decision.OVERRIDE:
            return str(_("县级特批"))
        if self.decision == self.Decision.GREEN_CHANNEL:
            return str(_("绿色通道"))
        return str(step_of(self.procedure.kind, self.step).label)


class PublicityBatch(models.Model):
    """一批公示/公告: the households at one 公示 step of one unit, with the period's start and end."""

    kind = models.CharField(_("程序"), max_length=16, choices=Kind.choices)
    step = models.CharField(_("步骤"), max_length=32)
    unit = models.ForeignKey("orgunits.OrgUnit", verbose_name=_("公示单位"), on_delete=models.PROTECT,
                             related_name="+")
    title = models.CharField(_("标题"), max_length=200)
    start = models.DateField(_("公示开始"))
    end = models.DateField(_("公示结束"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("发布人"), on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(_("发布时间"), default=clock.now, editable=False)
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("结束人"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    #: Every household the notice lists (a procedure's `batch` is only the one it currently waits in).
    procedures_listed = models.ManyToManyField(Procedure, verbose_name=_("公示户"), related_name="batches")

    class Meta:
        verbose_name = _("公示批次")
        verbose_name_plural = _("公示批次")
        ordering = ["-start", "-id"]

    def __str__(self) -> str:
        return self.title

    @property
    def step_label(self) -> str:
        return str(step_of(self.kind, self.step).label)

    @property
    def is_announcement(self) -> bool:
        return step_of(self.kind, self.step).type == "announcement"


class Objection(models.Model):
    """公示异议: received during the period against one household; blocks the step until resolved."""

    class Resolution(models.TextChoices):
        PENDING = "", _("待处理")
        UPHELD = "upheld", _("异议成立（终止程序）")
        DISMISSED = "dismissed", _("异议不成立")

    batch = models.ForeignKey(PublicityBatch, verbose_name=_("公示批次"), on_delete=models.PROTECT,
                              related_name="objections")
    procedure = models.ForeignKey(Procedure, verbose_name=_("程序"), on_delete=models.PROTECT,
                                  related_name="objections")
    received_on = models.DateField(_("收到日期"))
    content = models.TextField(_("异议内容"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("登记人"), on_delete=models.PROTECT,
                                    related_name="+")
    recorded_at = models.DateTimeField(_("登记时间"), default=clock.now, editable=False)
    resolution = models.CharField(_("处理结果"), max_length=10, choices=Resolution.choices, blank=True)
    resolution_note = models.TextField(_("核实情况"), blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("处理人"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    resolved_at = models.DateTimeField(_("处理时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("公示异议")
        verbose_name_plural = _("公示异议")
        ordering = ["received_on", "id"]


def _photo_name(photo: "NoticePhoto", filename: str) -> str:
    # Our own name (the person's file name is kept only for display); the suffix is the checked format's.
    return f"notices/{photo.batch_id}/{uuid.uuid4().hex}{Path(filename).suffix.lower()}"


class NoticePhoto(models.Model):
    """公示照片: a photograph of the posted notice, the evidence that it was really put up. Never edited."""

    batch = models.ForeignKey(PublicityBatch, verbose_name=_("公示批次"), on_delete=models.PROTECT,
                              related_name="photos")
    image = models.FileField(_("照片"), storage=evidence_storage, upload_to=_photo_name, max_length=255)
    name = models.CharField(_("文件名"), max_length=255)
    content_type = models.CharField(_("图片格式"), max_length=32)
    size = models.PositiveIntegerField(_("大小（字节）"))
    width = models.PositiveIntegerField(_("宽（像素）"))
    height = models.PositiveIntegerField(_("高（像素）"))
    #: SHA-256 of the file as uploaded: the audit row carries it, so a replaced file would show.
    sha256 = models.CharField(_("校验值"), max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("上传人"), on_delete=models.PROTECT,
                                    related_name="+")
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("公示照片")
        verbose_name_plural = _("公示照片")
        ordering = ["batch", "uploaded_at", "id"]


class LedgerEvent(models.Model):
    """动态调整台账: one change of the registry — by a completed procedure or by an import."""

    class Type(models.TextChoices):
        NEW = "new", _("新识别")
        REMOVAL = "removal", _("清退")
        RETURN = "return", _("返贫")
        EXIT = "exit", _("脱贫")
        NATURAL = "natural", _("人口自然变更")
        MONITORED = "monitored", _("纳入监测")
        ELIMINATED = "eliminated", _("风险消除")

    class Source(models.TextChoices):
        WORKFLOW = "workflow", _("办理程序")
        IMPORT = "import", _("数据导入")

    type = models.CharField(_("类型"), max_length=10, choices=Type.choices)
    effective = models.DateField(_("生效日期"))
    #: 户编号 (a string, not a key: the ledger outlives any correction of the registry).
    household = models.CharField(_("户编号"), max_length=16)
    village = models.CharField(_("村代码"), max_length=12)
    head_name = models.CharField(_("户主姓名"), max_length=64, blank=True)
    persons = models.PositiveIntegerField(_("涉及人数"))
    detail = models.CharField(_("说明"), max_length=200, blank=True)
    change = models.CharField(_("变更类型"), max_length=16, blank=True, choices=ChangeType.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("办理人"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    source = models.CharField(_("来源"), max_length=10, choices=Source.choices)
    procedure = models.OneToOneField(Procedure, verbose_name=_("程序"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="event")
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("动态调整记录")
        verbose_name_plural = _("动态调整记录")
        ordering = ["-effective", "-id"]
        indexes = [models.Index(fields=["village", "effective"]), models.Index(fields=["household"])]


class IncomeVerification(models.Model):
    """收入核实: a household's income of the 12 months before a day, as verified. Append-only.

    The series 风险消除 reads ("收入稳定超过监测线六个月以上"). Kept here, beside the procedures that record
    it (入户核实 writes one; a clerk adds the later ones), rather than as history of the registry's
    `income_12m`, which holds only the latest figure. `persons` is the household's size that day, so the
    per-person figure stays what it was.
    """

    household = models.ForeignKey("registry.Household", verbose_name=_("户"), on_delete=models.PROTECT,
                                  related_name="income_verifications")
    verified_on = models.DateField(_("核实日期"))
    income_12m = models.DecimalField(_("近 12 个月家庭纯收入"), max_digits=12, decimal_places=2)
    compliant_out_of_pocket_12m = models.DecimalField(_("近 12 个月合规自付支出"), max_digits=12, decimal_places=2,
                                                      default=0)
    persons = models.PositiveSmallIntegerField(_("家庭人口"))
    note = models.CharField(_("说明"), max_length=200, blank=True)
    procedure = models.ForeignKey(Procedure, verbose_name=_("程序"), null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="income_verifications")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("核实人"), on_delete=models.PROTECT,
                                    related_name="+")
    recorded_at = models.DateTimeField(_("记录时间"), default=clock.now, editable=False)

    class Meta:
        verbose_name = _("收入核实")
        verbose_name_plural = _("收入核实")
        ordering = ["household", "verified_on", "id"]
        indexes = [models.Index(fields=["household", "verified_on"])]

    def save(self, *args, **kwargs):
        if self.pk is not None:  # append-only: a wrong figure is corrected by a later verification
            raise ValueError("IncomeVerification rows are never edited")
        super().save(*args, **kwargs)

    @property
    def per_capita(self) -> Decimal:
        """年人均纯收入 of the 12 months."""
        return (self.income_12m / max(self.persons, 1)).quantize(Decimal("0.01"))

    @property
    def per_capita_after_expenses(self) -> Decimal:
        """年人均纯收入 after 合规自付支出."""
        return ((self.income_12m - self.compliant_out_of_pocket_12m) / max(self.persons, 1)).quantize(Decimal("0.01"))
