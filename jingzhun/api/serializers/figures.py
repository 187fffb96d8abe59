"""Indicators (决策看板), comparison runs (一比对) and department alert batches (部门预警) as the API shows them.

ID numbers go through the caller's Access (`context["access"]`): masked for the roles that see them
masked on the pages.
"""

from __future__ import annotations

import re

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from jingzhun.alerts.kinds import ALERT_KINDS
from jingzhun.alerts.models import AlertBatch, AlertHit
from jingzhun.alerts.rules import figures_shown, load_rules
from jingzhun.compare.kinds import KINDS
from jingzhun.compare.models import CompareRun, Match
from jingzhun.orgunits.access import mask_id_number

from . import ModelSerializer

_ID_LIKE = re.compile(r"[0-9]{14,17}[0-9Xx]")


def _access(serializer):
    return serializer.context["access"]


def masked_text(access, text: str) -> str:
    """`text` with anything that looks like an ID number masked, for a role that sees them masked (an
    error list repeats the file's cells, ID numbers among them)."""
    return text if access.sees_full_ids else _ID_LIKE.sub(lambda m: mask_id_number(m.group(0)), text)


# --- indicators ----------------------------------------------------------------------------------


@extend_schema_field({"type": "number", "nullable": True})
class NumberField(serializers.Field):
    """A stored figure as it is: an integer count stays an integer, a rate or a sum of money a decimal."""

    def to_representation(self, value):
        return value


class IndicatorSerializer(serializers.Serializer):
    """One indicator of the catalogue: what it counts and how."""

    key = serializers.CharField(help_text="指标代码，如 INCIDENCE")
    name = serializers.CharField(help_text="指标名称")
    unit = serializers.CharField(help_text="计量单位（户、人、%、元……；可为空）", allow_blank=True)
    definition = serializers.CharField(help_text="口径说明")
    source = serializers.ChoiceField(choices=["village", "county"],
                                     help_text="village：各级都有；county：县及以上才有（乡镇、村为 null）")
    numerator = serializers.CharField(allow_null=True, help_text="分子所对应的指标代码（有存储时）")
    denominator = serializers.CharField(allow_null=True, help_text="分母所对应的指标代码（有存储时）")


class IndicatorValueSerializer(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField()
    unit = serializers.CharField(allow_blank=True)
    value = NumberField(allow_null=True, help_text="指标值；没有数据时为 null")
    numerator = NumberField(allow_null=True, help_text="分子的值（分子本身是已存储的指标时）")
    denominator = NumberField(allow_null=True, help_text="分母的值（分母本身是已存储的指标时）")


class UnitValuesSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    level = serializers.IntegerField(help_text="1 省 … 5 村")
    has_data = serializers.BooleanField(help_text="这次更新是否存有本单位的指标")
    indicators = IndicatorValueSerializer(many=True)
    breakdowns = serializers.DictField(
        child=serializers.JSONField(),
        help_text="分类统计：CAUSES 致贫原因、EXITS_BY_YEAR 各年度脱贫、INCOME 收入结构、RISKS 风险类型、"
                  "MEASURES 帮扶措施、FUNDS 衔接资金（有存储时）")


class RefreshSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    as_of = serializers.DateField(help_text="基准日")
    finished_at = serializers.DateTimeField(allow_null=True, help_text="更新完成时间")


class IndicatorValuesSerializer(serializers.Serializer):
    refresh = RefreshSerializer(allow_null=True, help_text="所用的指标更新（查询日期当日或之前最后一次）；还没有时为 null")
    unit = UnitValuesSerializer(allow_null=True, help_text="所查单位；不属于任何单位的系统管理员不指定 unit 时为 null")
    children = UnitValuesSerializer(many=True, help_text="下级单位（children=1 时；系统管理员不指定 unit 时为各省）")


# --- uploads ------------------------------------------------------------------------------------


class UploadIssueSerializer(serializers.Serializer):
    """One thing wrong with an uploaded file (the page's error table)."""

    source = serializers.CharField(allow_blank=True, help_text="文件")
    sheet = serializers.CharField(allow_blank=True, help_text="工作表")
    row = serializers.IntegerField(allow_null=True, help_text="行号（整个文件或工作表的问题为 null）")
    header = serializers.CharField(allow_blank=True, help_text="列")
    value = serializers.CharField(allow_blank=True, help_text="内容")
    message = serializers.CharField(help_text="错误说明")


def issues_shown(access, issues) -> list[dict]:
    return [{"source": i.get("source") or "", "sheet": i.get("sheet") or "", "row": i.get("row"),
             "header": i.get("header") or "", "value": masked_text(access, str(i.get("value") or "")),
             "message": str(i.get("message") or "")} for i in issues]


class UploadErrorSerializer(serializers.Serializer):
    """400 for an upload: the one error shape, plus every error of the file (nothing was kept)."""

    code = serializers.CharField()
    message = serializers.CharField()
    fields = serializers.DictField(child=serializers.JSONField(), required=False)
    issues = UploadIssueSerializer(many=True, required=False, help_text="文件中的每一处错误")


class CompareUploadSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=[(k.code, k.label) for k in KINDS.values()], help_text="数据类别")
    file = serializers.ListField(child=serializers.FileField(), allow_empty=False,
                                 help_text="该类数据的 .xlsx 或 .csv 文件，可重复多个（docs/comparison-formats.md）")
    source = serializers.CharField(required=False, allow_blank=True, max_length=128, default="",
                                   help_text="数据来源；不填则为该类数据通常的提供部门")
    data_date = serializers.DateField(required=False, allow_null=True, default=None, help_text="数据日期；不填为今天")


class AlertUploadSerializer(CompareUploadSerializer):
    kind = serializers.ChoiceField(choices=[(k.code, k.label) for k in ALERT_KINDS.values()], help_text="数据类别")
    file = serializers.ListField(child=serializers.FileField(), allow_empty=False,
                                 help_text="该类数据的 .xlsx 或 .csv 文件，可重复多个（docs/alert-formats.md）")
    data_date = serializers.DateField(help_text="数据日期")


# --- comparison ---------------------------------------------------------------------------------


class CompareBatchSerializer(ModelSerializer):
    """一次比对: a department file compared with the registry under one unit."""

    url = serializers.SerializerMethodField()
    results_url = serializers.SerializerMethodField()
    # plain strings, not enums: an enum of the same name with other values elsewhere makes the schema's
    # enum names collide
    kind = serializers.CharField(help_text="数据类别代码（docs/comparison-formats.md）")
    kind_name = serializers.SerializerMethodField()
    status = serializers.CharField(help_text="queued 排队中、running 比对中、done 已完成、refused 有错误未导入、failed 失败")
    status_name = serializers.CharField(source="get_status_display")
    source = serializers.SerializerMethodField()
    data_date = serializers.SerializerMethodField()
    files = serializers.SerializerMethodField()
    counts = serializers.DictField(child=serializers.JSONField(),
                                   help_text="records 外部记录、registry 建档立卡人数、auto/pending/accepted/rejected "
                                             "各状态配对、exact/fuzzy、problems 产生的问题数据（整个批次）")
    issue_count = serializers.SerializerMethodField()

    class Meta:
        model = CompareRun
        fields = ["id", "url", "results_url", "kind", "kind_name", "org", "status", "status_name", "stage", "percent",
                  "created_at", "started_at", "finished_at", "error", "source", "data_date", "files", "counts",
                  "issue_count"]

    def get_url(self, run) -> str:
        return reverse("api:compare_batch_detail", kwargs={"pk": run.pk})

    def get_results_url(self, run) -> str:
        return reverse("api:compare_batch_results", kwargs={"pk": run.pk})

    def get_kind_name(self, run) -> str:
        return KINDS[run.kind].label_shown if run.kind in KINDS else run.kind

    def get_source(self, run) -> str:
        return run.batch.source if run.batch is not None else run.upload.get("source", "")

    @extend_schema_field(OpenApiTypes.DATE)
    def get_data_date(self, run) -> str | None:
        return run.batch.data_date.isoformat() if run.batch is not None else run.upload.get("date")

    def get_files(self, run) -> list[str]:
        return run.batch.files if run.batch is not None else run.upload.get("files", [])

    def get_issue_count(self, run) -> int:
        return len(run.issues)


class VillageCountSerializer(serializers.Serializer):
    village = serializers.CharField()
    total = serializers.IntegerField(help_text="配对")
    exact = serializers.IntegerField(help_text="身份证号一致")
    accepted = serializers.IntegerField(help_text="已确认（自动或人工）")
    pending = serializers.IntegerField(help_text="待人工核对")


class CompareBatchDetailSerializer(CompareBatchSerializer):
    issues = serializers.SerializerMethodField()
    by_village = serializers.SerializerMethodField()

    class Meta(CompareBatchSerializer.Meta):
        fields = CompareBatchSerializer.Meta.fields + ["issues", "by_village"]

    @extend_schema_field(UploadIssueSerializer(many=True))
    def get_issues(self, run):
        return issues_shown(_access(self), run.issues)

    @extend_schema_field(VillageCountSerializer(many=True))
    def get_by_village(self, run):
        return list(self.context["by_village"])


class ExternalRecordSerializer(serializers.Serializer):
    row = serializers.IntegerField(help_text="文件中的行号")
    name = serializers.CharField()
    id_number = serializers.SerializerMethodField()
    sex = serializers.CharField(allow_blank=True)
    birth_date = serializers.DateField(allow_null=True)
    village = serializers.CharField(allow_blank=True)

    def get_id_number(self, record) -> str:
        return _access(self).mask_id(record.id_number)


class CompareResultSerializer(ModelSerializer):
    """比对结果: an external record paired with a registry member."""

    person = serializers.SerializerMethodField(help_text="成员身份证号（只读角色为脱敏号码）")
    record = ExternalRecordSerializer()
    method_name = serializers.CharField(source="get_method_display")
    status_name = serializers.CharField(source="get_status_display")
    agreements = serializers.SerializerMethodField(help_text="各字段的一致程度")

    class Meta:
        model = Match
        fields = ["id", "village", "household", "member_id", "member_name", "person", "record", "method",
                  "method_name", "match_weight", "probability", "status", "status_name", "agreements"]

    def get_person(self, match) -> str:
        return _access(self).mask_id(match.person)

    @extend_schema_field(serializers.DictField(child=serializers.CharField()))
    def get_agreements(self, match):
        return {str(k): str(v) for k, v in match.agreement_labels.items()}


# --- department alerts --------------------------------------------------------------------------


class AlertBatchSerializer(ModelSerializer):
    """一批部门预警数据: a department's file, matched to the registry and judged by the alert rules."""

    url = serializers.SerializerMethodField()
    results_url = serializers.SerializerMethodField()
    kind = serializers.CharField(help_text="数据类别代码（docs/alert-formats.md）")
    kind_name = serializers.SerializerMethodField()
    counts = serializers.DictField(child=serializers.JSONField(),
                                   help_text="exact/fuzzy 匹配到建档立卡人员、hits 预警数、leads_new/leads_joined/"
                                             "leads_none 转为线索的情况")

    class Meta:
        model = AlertBatch
        fields = ["id", "url", "results_url", "kind", "kind_name", "org", "source", "data_date", "files", "rows",
                  "loaded_at", "loaded_via", "counts"]

    def get_url(self, batch) -> str:
        return reverse("api:alert_batch_detail", kwargs={"pk": batch.pk})

    def get_results_url(self, batch) -> str:
        return reverse("api:alert_batch_results", kwargs={"pk": batch.pk})

    def get_kind_name(self, batch) -> str:
        return ALERT_KINDS[batch.kind].label_shown if batch.kind in ALERT_KINDS else batch.kind


class AlertBatchDetailSerializer(AlertBatchSerializer):
    policy = serializers.DictField(child=serializers.JSONField(),
                                   help_text="所用的预警标准：unit、year、titles（政策文件）和 alerts（各项阈值）")

    class Meta(AlertBatchSerializer.Meta):
        fields = AlertBatchSerializer.Meta.fields + ["policy"]


class FigureSerializer(serializers.Serializer):
    label = serializers.CharField()
    value = serializers.CharField()


class AlertResultSerializer(ModelSerializer):
    """预警: one rule firing on one person of the batch, and the lead (线索) it became."""

    person = serializers.SerializerMethodField(help_text="身份证号（只读角色为脱敏号码）")
    group_name = serializers.CharField(source="get_group_display")
    rule_name = serializers.SerializerMethodField()
    figures = serializers.DictField(child=serializers.JSONField(), help_text="预警依据（原始数值）")
    figures_shown = serializers.SerializerMethodField(help_text="预警依据（按页面显示）")
    method = serializers.CharField(source="record.method", help_text="exact 身份证号一致、fuzzy 姓名等信息相似、空 未匹配")
    row = serializers.IntegerField(source="record.row", help_text="文件中的行号")
    lead = serializers.IntegerField(source="lead_id", allow_null=True, help_text="线索编号")
    lead_state = serializers.SerializerMethodField(help_text="线索的处理情况")

    class Meta:
        model = AlertHit
        fields = ["id", "row", "village", "household", "member_id", "person_name", "person", "group", "group_name",
                  "rule", "rule_name", "risk_type", "figures", "figures_shown", "method", "lead", "lead_state",
                  "lead_error"]

    def get_person(self, hit) -> str:
        return _access(self).mask_id(hit.person)

    def get_rule_name(self, hit) -> str:
        rules = self.context.setdefault("rules", {r.code: r for r in load_rules()})
        return rules[hit.rule].name_shown if hit.rule in rules else hit.rule

    @extend_schema_field(FigureSerializer(many=True))
    def get_figures_shown(self, hit):
        return [{"label": label, "value": value} for label, value in figures_shown(hit.figures)]

    def get_lead_state(self, hit) -> str:
        return self.context.get("lead_states", {}).get(hit.lead_id, "")
