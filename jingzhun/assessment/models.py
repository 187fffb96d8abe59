"""考核评估 records: a plan and its drawn sample, the teams, each sampled household's questionnaire and
verdict (with its state history and paradata), the county's disputes, and 随机抽查 of records.

Units are kept by their division code (as problem records keep villages), so a plan drawn years ago
still reads the same when the division tree changes.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from jingzhun.workflows.models import evidence_storage


class Assessment(models.Model):
    """一次考核评估: one county's 退出评估 or 巩固成果后评估, its design, its seed and its frame.

    The sample is drawn once (`drawn_at`) and kept; `seed` and the frame file (with its SHA-256) let
    anyone redraw the same sample (`jingzhun assess plan --frame FILE --seed S`).
    """

    class Kind(models.TextChoices):
        EXIT = "exit", _("贫困县退出评估")
        POST = "post", _("巩固成果后评估")

    class State(models.TextChoices):
        DRAFT = "draft", _("待抽样")
        FIELDWORK = "fieldwork", _("调查中")
        CLOSED = "closed", _("已结束")

    county = models.CharField(_("被评估县"), max_length=12, db_index=True)
    year = models.PositiveSmallIntegerField(_("评估年度"))
    kind = models.CharField(_("评估类型"), max_length=8, choices=Kind.choices, default=Kind.EXIT)
    title = models.CharField(_("评估名称"), max_length=200)
    state = models.CharField(_("状态"), max_length=12, choices=State.choices, default=State.DRAFT)
    #: The design as entered: strata basis, villages per stratum, households per village and frame,
    #: oversampling, target margin, expected rate and design effect (see services.plans).
    design = models.JSONField(_("抽样设计"), default=dict)
    seed = models.BigIntegerField(_("随机种子"))
    #: The frame as read at the draw (villages with sizes, households per frame), as Parquet.
    frame = models.FileField(_("抽样框"), storage=evidence_storage, upload_to="assessment/frames", blank=True,
                             max_length=255)
    frame_sha256 = models.CharField(_("抽样框摘要（SHA-256）"), max_length=64, blank=True)
    frame_as_of = models.DateField(_("抽样框基准日"), null=True, blank=True)
    drawn_at = models.DateTimeField(_("抽样时间"), null=True, blank=True)
    drawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("抽样人"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    #: Days after a finding is sent to the county within which it may dispute it (with evidence).
    dispute_days = models.PositiveSmallIntegerField(_("申诉期限（天）"), default=3)
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("创建人"), on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    history = HistoricalRecords(no_db_index=["county", "drawn_by", "created_by"])

    class Meta:
        verbose_name = _("考核评估")
        verbose_name_plural = _("考核评估")
        ordering = ["-year", "county", "-id"]

    def __str__(self) -> str:
        return self.title


class Stratum(models.Model):
    """抽样层: villages of one kind (e.g. 贫困村 / 非贫困村, or one township) drawn apart."""

    assessment = models.ForeignKey(Assessment, verbose_name=_("考核评估"), on_delete=models.CASCADE,
                                   related_name="strata")
    code = models.CharField(_("层代码"), max_length=32)
    name = models.CharField(_("层名称"), max_length=64)
    villages_in_frame = models.PositiveIntegerField(_("框内村数"), default=0)
    villages_drawn = models.PositiveIntegerField(_("抽中村数"), default=0)

    class Meta:
        verbose_name = _("抽样层")
        verbose_name_plural = _("抽样层")
        ordering = ["assessment", "code"]
        constraints = [models.UniqueConstraint(fields=["assessment", "code"], name="stratum_unique")]


class SampledVillage(models.Model):
    """样本村: a village drawn with probability proportional to size within its stratum."""

    assessment = models.ForeignKey(Assessment, verbose_name=_("考核评估"), on_delete=models.CASCADE,
                                   related_name="villages")
    stratum = models.ForeignKey(Stratum, verbose_name=_("抽样层"), on_delete=models.CASCADE, related_name="villages")
    village = models.CharField(_("村代码"), max_length=12)
    #: The measure of size the village was drawn by (registry households at the frame date).
    size = models.PositiveIntegerField(_("规模"))
    #: The village's inclusion probability (first stage).
    probability = models.FloatField(_("入样概率"))
    order = models.PositiveIntegerField(_("抽中顺序"))

    class Meta:
        verbose_name = _("样本村")
        verbose_name_plural = _("样本村")
        ordering = ["assessment", "order"]
        constraints = [models.UniqueConstraint(fields=["assessment", "village"], name="sampled_village_unique")]


class Team(models.Model):
    """调查组: two enumerators (三随机: assigned at random; 三回避: never to their own county)."""

    assessment = models.ForeignKey(Assessment, verbose_name=_("考核评估"), on_delete=models.CASCADE,
                                   related_name="teams")
    name = models.CharField(_("组名"), max_length=32)

    class Meta:
        verbose_name = _("调查组")
        verbose_name_plural = _("调查组")
        ordering = ["assessment", "id"]
        constraints = [models.UniqueConstraint(fields=["assessment", "name"], name="team_unique")]

    def __str__(self) -> str:
        return self.name


class Staff(models.Model):
    """评估人员: a user's duty in one assessment, in Survey Solutions' terms: the interviewer (调查员),
    the supervisor (督导员) who approves or rejects completed questionnaires, and headquarters (评估组)."""

    class Duty(models.TextChoices):
        ENUMERATOR = "enumerator", _("调查员")
        SUPERVISOR = "supervisor", _("督导员")
        HEADQUARTERS = "hq", _("评估组")

    assessment = models.ForeignKey(Assessment, verbose_name=_("考核评估"), on_delete=models.CASCADE,
                                   related_name="staff")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("人员"), on_delete=models.PROTECT,
                             related_name="assessment_duties")
    duty = models.CharField(_("职责"), max_length=12, choices=Duty.choices)
    #: The county the person comes from (户籍或工作单位所在县): never assigned to survey it (三回避).
    home_county = models.CharField(_("来源县"), max_length=12, blank=True)
    team = models.ForeignKey(Team, verbose_name=_("调查组"), null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="members")

    class Meta:
        verbose_name = _("评估人员")
        verbose_name_plural = _("评估人员")
        ordering = ["assessment", "duty", "id"]
        constraints = [models.UniqueConstraint(fields=["assessment", "user"], name="staff_unique")]


class Case(models.Model):
    """样本户: one household drawn into the sample, its assignment, questionnaire, paradata and verdict.

    States follow Survey Solutions: assigned → completed → approved or rejected by the supervisor
    (rejected goes back to the team with the reason) → approved or rejected by headquarters. Households of
    the purposive screen (高风险未建档户) are not a probability sample: no weight, reported apart.
    """

    class Frame(models.TextChoices):
        EXITED = "exited", _("已脱贫户")
        NOT_EXITED = "not_exited", _("未脱贫户")
        MONITORED = "monitored", _("监测对象")
        SCREEN = "screen", _("高风险未建档户（立意筛查）")

    class State(models.TextChoices):
        ASSIGNED = "assigned", _("已分配")
        COMPLETED = "completed", _("已完成")
        REJECTED = "rejected", _("督导退回")
        SUPERVISOR_APPROVED = "sv_approved", _("督导已审核")
        HQ_REJECTED = "hq_rejected", _("评估组退回")
        HQ_APPROVED = "hq_approved", _("评估组已审核")

    assessment = models.ForeignKey(Assessment, verbose_name=_("考核评估"), on_delete=models.CASCADE,
                                   related_name="cases")
    village = models.CharField(_("村代码"), max_length=12)
    frame = models.CharField(_("抽样框"), max_length=12, choices=Frame.choices)
    #: The registry household (None for a screened household outside the registry).
    household = models.ForeignKey("registry.Household", verbose_name=_("户"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    #: For a screened household: where it was found (e.g. "民政低保 #123", "住建危房 #45").
    screen_source = models.CharField(_("筛查来源"), max_length=128, blank=True)
    head_name = models.CharField(_("户主姓名"), max_length=64, blank=True)
    address = models.CharField(_("住址"), max_length=200, blank=True)
    #: Design weight (1/π) and inclusion probability; None for the purposive screen.
    weight = models.FloatField(_("设计权数"), null=True, blank=True)
    probability = models.FloatField(_("入样概率"), null=True, blank=True)
    order = models.PositiveIntegerField(_("抽中顺序"))
    team = models.ForeignKey(Team, verbose_name=_("调查组"), null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="cases")
    state = models.CharField(_("状态"), max_length=12, choices=State.choices, default=State.ASSIGNED)
    #: The questionnaire's answers, keyed as data/questionnaire.toml says (see questionnaire.py).
    answers = models.JSONField(_("问卷"), default=dict, blank=True)
    #: Paradata: when the interview began and ended on the device, and who submitted it.
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    ended_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    duration_seconds = models.PositiveIntegerField(_("用时（秒）"), null=True, blank=True)
    #: Made on the phone per submission, so a questionnaire sent twice is stored once.
    client_id = models.UUIDField(_("客户端编号"), null=True, blank=True, unique=True)
    interviewer = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("调查员"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    # The verdict, derived from the answers by questionnaire.verdict (and changed only by a dispute).
    persons = models.PositiveSmallIntegerField(_("家庭人口"), null=True, blank=True)
    wrong_exit = models.BooleanField(_("错退"), null=True, blank=True)
    missed = models.BooleanField(_("漏评"), null=True, blank=True)
    approves = models.BooleanField(_("认可"), null=True, blank=True)
    #: [{"kind": "income" | "food_clothing" | … | "approval", "text": "…"}]: why the verdict is what it is.
    reasons = models.JSONField(_("判定理由"), default=list, blank=True)
    #: When the verdict was sent to the county (after headquarters' approval): its dispute period starts.
    notified_at = models.DateTimeField(_("反馈时间"), null=True, blank=True)
    history = HistoricalRecords(no_db_index=["assessment", "household", "team", "interviewer"])

    class Meta:
        verbose_name = _("样本户")
        verbose_name_plural = _("样本户")
        ordering = ["assessment", "order"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "household"], name="case_household_unique",
                                    condition=models.Q(household__isnull=False)),
            models.UniqueConstraint(fields=["assessment", "order"], name="case_order_unique"),
        ]
        indexes = [models.Index(fields=["assessment", "state"]), models.Index(fields=["team", "state"])]


class CaseEvent(models.Model):
    """A case's state change (who, when, from, to, why): the status history Survey Solutions keeps."""

    case = models.ForeignKey(Case, verbose_name=_("样本户"), on_delete=models.CASCADE, related_name="events")
    from_state = models.CharField(_("原状态"), max_length=12, blank=True)
    to_state = models.CharField(_("新状态"), max_length=12)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("操作人"), on_delete=models.PROTECT,
                              related_name="+")
    at = models.DateTimeField(_("时间"), auto_now_add=True)
    reason = models.TextField(_("理由"), blank=True)

    class Meta:
        verbose_name = _("样本户状态记录")
        verbose_name_plural = _("样本户状态记录")
        ordering = ["case", "at", "id"]


class Dispute(models.Model):
    """县级申诉: the county disputes a finding with evidence before the deadline; the panel decides."""

    class Decision(models.TextChoices):
        PENDING = "", _("待裁定")
        UPHELD = "upheld", _("维持原结论")
        OVERTURNED = "overturned", _("改判")

    case = models.OneToOneField(Case, verbose_name=_("样本户"), on_delete=models.CASCADE, related_name="dispute")
    reason = models.TextField(_("申诉理由"))
    evidence = models.FileField(_("佐证材料"), storage=evidence_storage, upload_to="assessment/disputes/%Y/%m",
                                max_length=255)
    evidence_name = models.CharField(_("材料文件名"), max_length=255)
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("申诉人"), on_delete=models.PROTECT,
                                 related_name="+")
    filed_at = models.DateTimeField(_("申诉时间"), auto_now_add=True)
    decision = models.CharField(_("裁定"), max_length=12, choices=Decision.choices, default=Decision.PENDING,
                                blank=True)
    decision_note = models.TextField(_("裁定理由"), blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("裁定人"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("裁定时间"), null=True, blank=True)
    history = HistoricalRecords(no_db_index=["case", "filed_by", "decided_by"])

    class Meta:
        verbose_name = _("申诉")
        verbose_name_plural = _("申诉")
        ordering = ["-filed_at"]


class SpotCheck(models.Model):
    """随机抽查: N households drawn at random from a unit's records (seeded and recorded), to verify."""

    unit = models.CharField(_("抽查单位"), max_length=12, db_index=True)
    n = models.PositiveSmallIntegerField(_("抽查户数"))
    seed = models.BigIntegerField(_("随机种子"))
    #: Households in the unit's records when drawn, and the digest of their sorted numbers: the same
    #: seed over the same frame draws the same households.
    frame_size = models.PositiveIntegerField(_("框内户数"))
    frame_sha256 = models.CharField(_("抽样框摘要（SHA-256）"), max_length=64)
    drawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("抽查人"), on_delete=models.PROTECT,
                                 related_name="+")
    drawn_at = models.DateTimeField(_("抽查时间"), auto_now_add=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("随机抽查")
        verbose_name_plural = _("随机抽查")
        ordering = ["-drawn_at", "-id"]


class SpotCheckItem(models.Model):
    """One household of a spot check: what the checker found against the registry, field by field."""

    spot_check = models.ForeignKey(SpotCheck, verbose_name=_("随机抽查"), on_delete=models.CASCADE,
                                   related_name="items")
    household = models.ForeignKey("registry.Household", verbose_name=_("户"), on_delete=models.PROTECT,
                                  related_name="+")
    order = models.PositiveSmallIntegerField(_("抽中顺序"))
    #: {field: {"registry": value, "found": value, "agrees": bool}} as verified.
    checked = models.JSONField(_("核对结果"), default=dict, blank=True)
    #: None until verified.
    discrepancies = models.PositiveSmallIntegerField(_("不符项数"), null=True, blank=True)
    verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("核对人"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    verified_at = models.DateTimeField(_("核对时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("抽查户")
        verbose_name_plural = _("抽查户")
        ordering = ["spot_check", "order"]
        constraints = [models.UniqueConstraint(fields=["spot_check", "household"], name="spot_item_unique")]
