"""External datasets (外部比对数据), their records, comparison runs, matches and review decisions."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jingzhun.runs.models import Run, status_field

from .kinds import KINDS

KIND_CHOICES = [(k.code, _(k.label)) for k in KINDS.values()]  # the labels are msgids (kinds.py)


class LoadedFiles(models.Model):
    """What every department file set keeps — comparison data and alert files alike: where it came from,
    its data date, the files, who loaded it, how and when, under which unit, and its rows. A subclass adds
    `kind` with its own choices."""

    source = models.CharField(_("数据来源"), max_length=128)
    data_date = models.DateField(_("数据日期"))
    files = models.JSONField(_("文件"), default=list)
    loaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("导入人"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    loaded_via = models.CharField(_("导入方式"), max_length=16, blank=True)
    loaded_at = models.DateTimeField(_("导入时间"), auto_now_add=True)
    org = models.CharField(_("所属单位"), max_length=12, blank=True)
    rows = models.PositiveIntegerField(_("记录数"), default=0)

    class Meta:
        abstract = True


class Batch(LoadedFiles):
    """一批外部数据: one loaded file set of one kind, with where it came from and who loaded it."""

    kind = models.CharField(_("数据类别"), max_length=16, choices=KIND_CHOICES)

    class Meta:
        verbose_name = _("外部数据批次")
        verbose_name_plural = _("外部数据批次")
        ordering = ["-loaded_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.data_date} ({self.rows})"


class ExternalRecord(models.Model):
    """外部数据记录: one row of a batch; person columns as fields, the kind's own columns in `extra`."""

    batch = models.ForeignKey(Batch, on_delete=models.CASCADE, related_name="records")
    row = models.PositiveIntegerField(_("行号"))
    name = models.CharField(_("姓名"), max_length=64)
    id_number = models.CharField(_("身份证号"), max_length=18, blank=True)
    sex = models.CharField(_("性别"), max_length=1, blank=True)
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    village = models.CharField(_("村代码"), max_length=12, blank=True)
    address = models.CharField(_("住址"), max_length=255, blank=True)
    extra = models.JSONField(_("其他字段"), default=dict)

    class Meta:
        verbose_name = _("外部数据记录")
        verbose_name_plural = _("外部数据记录")
        indexes = [models.Index(fields=["id_number"])]


class MatchModel(models.Model):
    """比对模型: the trained Splink model of one dataset kind (its settings and m/u parameters as JSON)."""

    kind = models.CharField(_("数据类别"), max_length=16, choices=KIND_CHOICES, unique=True)
    settings_json = models.JSONField(_("模型参数"))
    trained_at = models.DateTimeField(_("训练时间"), auto_now=True)
    labelled_pairs = models.PositiveIntegerField(_("用于训练的已知配对"), default=0)

    class Meta:
        verbose_name = _("比对模型")
        verbose_name_plural = _("比对模型")


class CompareRun(Run):
    """一次比对: one kind against the registry under one unit, with progress and counts."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("比对中")
        DONE = "done", _("已完成")
        REFUSED = "refused", _("有错误，未导入")
        FAILED = "failed", _("失败")

    status = status_field(Status)
    kind = models.CharField(_("数据类别"), max_length=16, choices=KIND_CHOICES)
    org = models.CharField(_("比对范围"), max_length=12, blank=True)
    engine = models.CharField(_("计算引擎"), max_length=8, default="duckdb")
    batch = models.ForeignKey(Batch, verbose_name=_("数据批次"), null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="runs")
    #: Uploaded files waiting for the background task (web runs), and the form's source and date.
    folder = models.CharField(_("存放目录"), max_length=255, blank=True)
    upload = models.JSONField(_("上传信息"), default=dict, blank=True)
    issues = models.JSONField(_("错误"), default=list, blank=True)
    counts = models.JSONField(_("结果统计"), default=dict, blank=True)

    class Meta:
        verbose_name = _("比对批次")
        verbose_name_plural = _("比对批次")
        ordering = ["-created_at"]

    def get_absolute_url(self) -> str:
        return reverse("compare:run", kwargs={"compare_run_id": self.pk})

    def upload_folder(self) -> Path | None:
        return Path(self.folder) if self.folder else None


class Match(models.Model):
    """比对结果: an external record paired with a registry member, how, how strongly, and its review state."""

    class Method(models.TextChoices):
        EXACT = "exact", _("身份证号一致")
        FUZZY = "fuzzy", _("姓名等信息相似")

    class Status(models.TextChoices):
        AUTO = "auto", _("自动确认")
        PENDING = "pending", _("待人工核对")
        ACCEPTED = "accepted", _("已确认是同一人")
        REJECTED = "rejected", _("已确认不是同一人")

    run = models.ForeignKey(CompareRun, on_delete=models.CASCADE, related_name="matches")
    record = models.ForeignKey(ExternalRecord, on_delete=models.CASCADE, related_name="matches")
    member_id = models.BigIntegerField(_("成员"))
    household = models.CharField(_("户编号"), max_length=16)
    village = models.CharField(_("村代码"), max_length=12)
    person = models.CharField(_("身份证号"), max_length=18)
    member_name = models.CharField(_("姓名"), max_length=64)
    method = models.CharField(_("匹配方式"), max_length=8, choices=Method.choices)
    match_weight = models.FloatField(_("匹配权重"), null=True, blank=True)
    probability = models.FloatField(_("匹配概率"), null=True, blank=True)
    agreements = models.JSONField(_("一致的字段"), default=dict)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices)

    class Meta:
        verbose_name = _("比对结果")
        verbose_name_plural = _("比对结果")
        ordering = ["village", "household", "-match_weight"]
        indexes = [models.Index(fields=["run", "village"]), models.Index(fields=["run", "status"])]

    @property
    def accepted(self) -> bool:
        return self.status in (self.Status.AUTO, self.Status.ACCEPTED)

    @property
    def agreement_labels(self) -> dict[str, str]:
        """What each field agreed on, in the active language (`agreements` holds the levels)."""
        from .matching import agreement_labels

        return agreement_labels(self.agreements)


def record_key(name: str, id_number: str, birth_date) -> str:
    """What identifies an external person across reloads of a file (for reusing review decisions)."""
    return f"{name}|{id_number}|{birth_date.isoformat() if birth_date else ''}"[:128]


class ReviewDecision(models.Model):
    """人工核对结论: "this external person is / is not this member", kept and reused by later runs.

    Keyed by what identifies both sides across batches (the kind, the external record's name, ID number
    and birth date as given, and the member's ID number), so a reloaded file gets the same answer.
    Append-only: a second reviewer adds a row and the first one's stays; the current decision on a pair
    is its latest row (`current_decisions`).
    """

    kind = models.CharField(_("数据类别"), max_length=16, choices=KIND_CHOICES)
    record_key = models.CharField(_("外部记录标识"), max_length=128)
    person = models.CharField(_("成员身份证号"), max_length=18)
    village = models.CharField(_("村代码"), max_length=12)
    same_person = models.BooleanField(_("是同一人"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("核对人"), null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(_("核对时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("人工核对结论")
        verbose_name_plural = _("人工核对结论")
        ordering = ["decided_at", "pk"]
        indexes = [models.Index(fields=["kind", "record_key", "person", "decided_at"], name="review_pair_history")]

    @classmethod
    def current_decisions(cls, kind: str) -> dict[tuple[str, str], bool]:
        """{(record_key, person): same_person} of every pair of `kind`: each pair's latest decision."""
        rows = cls.objects.filter(kind=kind).order_by("decided_at", "pk").values_list("record_key", "person",
                                                                                      "same_person")
        return {(key, person): same for key, person, same in rows}  # later rows overwrite earlier ones
