"""Problems (问题数据), procedures (办理程序) and the 动态调整台账, as their pages show them.

What a page computes for the viewer (the rule's name, the message filled for the viewer's role, ID
numbers masked) the view sets on each object before serializing (views/problems.py), so these only
name fields: no serializer decides what a role may see.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.fields import empty

from jingzhun.checks.models import Problem, ProblemReview
from jingzhun.workflows.definitions import ChangeType, Kind, RemovalReason
from jingzhun.workflows.forms import EVIDENCE_MAX_BYTES, EVIDENCE_SUFFIXES
from jingzhun.workflows.models import LedgerEvent, Objection, Procedure, StepRecord
from jingzhun.workflows.services import START_STATUSES

from . import ModelSerializer

# --- problems ---------------------------------------------------------------------------------------


class ProblemReviewSerializer(serializers.Serializer):
    """情况属实的申报与审核: one claim or decision."""

    action = serializers.ChoiceField(choices=ProblemReview.Action.choices)
    action_label = serializers.CharField(source="get_action_display")
    by = serializers.CharField(allow_null=True, help_text="操作人")
    at = serializers.DateTimeField()
    note = serializers.CharField(allow_blank=True)


class ProblemSerializer(serializers.Serializer):
    """问题数据: one finding of one rule on one household or member, as the problem list shows it."""

    id = serializers.IntegerField()
    rule = serializers.CharField(help_text="规则或问题类别代码（Q04、PG01 …）")
    rule_name = serializers.CharField(allow_blank=True)
    category = serializers.CharField(allow_blank=True, help_text="问题类别")
    household = serializers.CharField(help_text="户编号")
    registered = serializers.BooleanField(help_text="该户是否在建档立卡数据中")
    head_name = serializers.CharField(allow_null=True, help_text="户主姓名")
    person = serializers.CharField(source="person_shown", allow_blank=True,
                                   help_text="涉及成员的身份证号（只读角色看到的是遮盖后的号码）")
    member_name = serializers.CharField(allow_null=True, help_text="涉及成员姓名")
    village = serializers.CharField(help_text="村代码")
    village_name = serializers.CharField(allow_null=True)
    message = serializers.CharField(source="message_shown",
                                    help_text="问题说明（其中的身份证号、电话号码按调用者角色遮盖，范围外的户只计数）")
    status = serializers.ChoiceField(choices=Problem.Status.choices)
    status_label = serializers.CharField(source="get_status_display")
    first_seen = serializers.DateTimeField()
    last_seen = serializers.DateTimeField()
    closed_at = serializers.DateTimeField(allow_null=True, help_text="销号时间")
    due = serializers.DateField(allow_null=True, help_text="整改时限")
    exception_reason = serializers.CharField(allow_blank=True, help_text="情况属实的说明")
    exception_by = serializers.CharField(allow_null=True, help_text="申报人")
    reviewed_by = serializers.CharField(allow_null=True, help_text="审核人")


class ProblemDetailSerializer(ProblemSerializer):
    fix = serializers.CharField(allow_blank=True, help_text="整改建议")
    reviews = ProblemReviewSerializer(many=True, source="review_rows")


class ProblemFilter(serializers.Serializer):
    """The problem list's filters (as on the page 问题数据清单)."""

    rule = serializers.CharField(required=False, max_length=16, help_text="规则代码，如 Q04")
    status = serializers.ChoiceField(required=False, choices=Problem.Status.choices)
    unit = serializers.RegexField(r"^[0-9]{2,12}$", required=False,
                                  help_text="只列此区划（乡镇、村……）下的问题：管辖范围内的单位，或本单位的上级")
    q = serializers.CharField(required=False, max_length=40, trim_whitespace=True,
                              help_text="户编号（或其开头）；能看到完整身份证号的角色也可按身份证号查询")


class ProblemClaimSerializer(serializers.Serializer):
    """申报情况属实."""

    reason = serializers.CharField(max_length=2000, help_text="情况说明：为什么数据无误、无需整改，以及可查的证明材料")

    def validate_reason(self, value: str) -> str:
        if len(value.strip()) < 4:  # the service's rule, named at the field
            raise serializers.ValidationError(_("请写明情况属实的理由（至少 4 个字），例如“该生因病休学，有医院证明”。"))
        return value


class ProblemDecisionSerializer(serializers.Serializer):
    """审核情况属实申报: approve (情况属实) or reject (仍需整改)."""

    decision = serializers.ChoiceField(choices=[("approve", "通过"), ("reject", "退回")],
                                       error_messages={"invalid_choice": _("请选择“通过”或“退回”。"),
                                                       "required": _("请选择“通过”或“退回”。")})


# --- procedures -------------------------------------------------------------------------------------


class StepSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()
    role = serializers.CharField(help_text="办理这一步的角色")
    role_label = serializers.CharField()
    type = serializers.CharField(help_text="start, decision, verification, consent, comparison, publicity, "
                                           "announcement, approval")
    done = serializers.BooleanField()
    current = serializers.BooleanField()


class FindingSerializer(serializers.Serializer):
    name = serializers.CharField(allow_blank=True)
    message = serializers.CharField(allow_blank=True)


class StepRecordSerializer(serializers.Serializer):
    """一个步骤的办理记录: who acted, when, the decision and the note."""

    id = serializers.IntegerField()
    step = serializers.CharField()
    step_label = serializers.CharField()
    decision = serializers.ChoiceField(choices=StepRecord.Decision.choices)
    decision_label = serializers.CharField(source="get_decision_display")
    actor = serializers.CharField(help_text="办理人")
    at = serializers.DateTimeField()
    note = serializers.CharField(allow_blank=True, help_text="意见")
    comparison = serializers.CharField(allow_null=True, help_text="部门比对结果")
    findings = FindingSerializer(many=True, help_text="比对时部门数据的发现")
    food_clothing = serializers.BooleanField(allow_null=True, help_text="两不愁核实结果")
    evidence_name = serializers.CharField(allow_blank=True, help_text="佐证材料文件名（下载请用页面）")


class ProcedureSerializer(serializers.Serializer):
    """一个程序, as the procedure list shows it."""

    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=Kind.choices)
    kind_label = serializers.CharField(source="get_kind_display")
    state = serializers.ChoiceField(choices=Procedure.State.choices)
    state_label = serializers.CharField(source="get_state_display")
    step = serializers.CharField(allow_blank=True, help_text="当前步骤代码（办结后为空）")
    step_label = serializers.CharField(allow_blank=True)
    village = serializers.CharField(source="village_id", help_text="村代码")
    village_name = serializers.CharField(source="village.name")
    household = serializers.CharField(source="household_id", allow_null=True,
                                      help_text="户编号（精准识别在县审定公告前没有）")
    head_name = serializers.CharField(help_text="户主姓名")
    year = serializers.IntegerField(help_text="识别年度或脱贫年度")
    opened_by = serializers.CharField(help_text="发起人")
    opened_at = serializers.DateTimeField()
    closed_at = serializers.DateTimeField(allow_null=True)
    due = serializers.DateField(allow_null=True, help_text="办结时限")
    overdue = serializers.BooleanField()
    reason = serializers.CharField(allow_blank=True, help_text="终止原因")
    mine = serializers.BooleanField(help_text="当前步骤是否由调用者的角色办理")


class CriterionSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    status = serializers.CharField(help_text="pass, fail, pending, no_data …")
    data = serializers.CharField(allow_blank=True, help_text="依据数据")
    overridden = serializers.BooleanField(help_text="县级特批")


class FieldChangeSerializer(serializers.Serializer):
    label = serializers.CharField()
    old = serializers.CharField()
    new = serializers.CharField()


class CandidateMemberSerializer(serializers.Serializer):
    name = serializers.CharField(allow_blank=True)
    id_number = serializers.CharField(allow_blank=True, help_text="身份证号（只读角色看到的是遮盖后的号码）")
    relation = serializers.CharField(allow_blank=True)
    health = serializers.CharField(allow_blank=True)
    labour = serializers.CharField(allow_blank=True)


class ObjectionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    batch = serializers.IntegerField(source="batch_id")
    received_on = serializers.DateField()
    content = serializers.CharField()
    resolution = serializers.ChoiceField(choices=Objection.Resolution.choices, allow_blank=True)
    resolution_label = serializers.CharField(source="get_resolution_display")
    resolution_note = serializers.CharField(allow_blank=True)


class ProcedureDetailSerializer(ProcedureSerializer):
    """一个程序: its steps, who acted and their notes, what it carries (ID numbers masked for the role)."""

    steps = StepSerializer(many=True, source="step_rows")
    records = StepRecordSerializer(many=True, source="record_rows")
    reason_category = serializers.CharField(allow_null=True, help_text="清退原因类别")
    change = serializers.CharField(allow_null=True, help_text="人员变更类型")
    change_label = serializers.CharField(allow_null=True)
    change_person = serializers.CharField(allow_null=True, help_text="人员变更涉及的成员姓名")
    change_rows = FieldChangeSerializer(many=True, help_text="人员变更逐项（变更前 → 变更后）")
    criteria = CriterionSerializer(many=True, help_text="退出或风险消除指标评估")
    override_reason = serializers.CharField(allow_blank=True, help_text="县级特批理由")
    override_by = serializers.CharField(allow_null=True)
    candidate_members = CandidateMemberSerializer(many=True, help_text="精准识别申请户的成员")
    objections = ObjectionSerializer(many=True, source="objection_rows", help_text="公示异议")


class ProcedureFilter(serializers.Serializer):
    """The procedure list's filters (as on the page 办理程序清单)."""

    kind = serializers.ChoiceField(required=False, choices=Kind.choices)
    state = serializers.ChoiceField(required=False, default=Procedure.State.OPEN,
                                    choices=[*Procedure.State.choices, ("all", "全部")],
                                    help_text="默认只列办理中的程序（与页面相同）；all 列出全部")
    household = serializers.RegexField(r"^[0-9]{16}$", required=False, help_text="只列此户（户编号）的程序")


class EvidenceField(serializers.FileField):
    """佐证材料 as the page's forms take it: a PDF, picture, Word, Excel or text file of at most 20 MB."""

    def to_internal_value(self, data):
        upload = super().to_internal_value(data)
        if not upload.name.lower().endswith(EVIDENCE_SUFFIXES):
            raise serializers.ValidationError(_("佐证材料应为 PDF、图片、Word、Excel 或文本文件（%(s)s）。")
                                              % {"s": _("、").join(EVIDENCE_SUFFIXES)})
        if upload.size > EVIDENCE_MAX_BYTES:
            raise serializers.ValidationError(_("佐证材料不能超过 20 MB。"))
        return upload


class OptionalBooleanField(serializers.BooleanField):
    """Yes, no or not given: left out of a multipart form it is not given (DRF would read it as "no",
    as an unticked checkbox, and record 两不愁 as not met)."""

    default_empty_html = empty


class ProcedureActSerializer(serializers.Serializer):
    """办理当前步骤: what the page's step form takes (as JSON, or multipart with a 佐证材料 file)."""

    step = serializers.CharField(max_length=32, help_text="调用者看到的当前步骤代码：如已被他人办理，不作任何改动")
    decision = serializers.ChoiceField(choices=[("approve", "通过"), ("reject", "不通过")],
                                       help_text="reject 终止程序，须写明理由（note）")
    note = serializers.CharField(required=False, default="", allow_blank=True, max_length=2000, help_text="意见")
    food_clothing = OptionalBooleanField(required=False, allow_null=True, default=None,
                                             help_text="驻村工作队核实：是否做到不愁吃、不愁穿（核实步骤必填）")
    comparison = serializers.CharField(required=False, default="", allow_blank=True, max_length=2000,
                                       help_text="部门比对结果（比对步骤通过时必填）")
    declared_per_capita_income = serializers.DecimalField(
        required=False, allow_null=True, default=None, min_value=0, max_digits=12, decimal_places=2,
        help_text="人员变更审批：变更后申报年人均纯收入（元）")
    evidence = EvidenceField(required=False, allow_null=True, default=None,
                             help_text="佐证材料（可选；multipart/form-data 上传）")

    def validate(self, attrs):
        if attrs["decision"] == "reject" and not attrs["note"].strip():
            raise serializers.ValidationError({"note": [_("不通过时请写明理由。")]})
        return attrs


class ProcedureOpenSerializer(serializers.Serializer):
    """发起户退出、返贫、清退或人员变更 on a registered household (the page's opening form)."""

    kind = serializers.ChoiceField(choices=Kind.choices, help_text="exit、return、removal 或 member_change"
                                   "（精准识别、识别纳入、风险消除请在页面发起）")
    household = serializers.RegexField(r"^[0-9]{16}$", help_text="户编号",
                                       error_messages={"invalid": _("请填写 16 位户编号并选择要办理的程序。")})
    year = serializers.IntegerField(required=False, allow_null=True, default=None,
                                    help_text="脱贫年度（户退出）：2014 年至今年；默认为有贫困线的最近年度（与页面相同）")
    note = serializers.CharField(required=False, default="", allow_blank=True, max_length=2000,
                                 help_text="情况说明（返贫、清退必填）")
    reason_category = serializers.ChoiceField(required=False, allow_blank=True, choices=RemovalReason.choices,
                                              help_text="清退原因类别（清退必填）")
    change = serializers.ChoiceField(required=False, allow_blank=True, choices=ChangeType.choices,
                                     help_text="人员变更类型（人员变更必填）")
    member_id = serializers.IntegerField(required=False, allow_null=True, min_value=1,
                                         help_text="减少的成员（死亡、迁出等）")
    member = serializers.DictField(required=False, allow_null=True,
                                   help_text="新增的成员（出生、婚入、成员加入）：与页面“新增成员”相同的字段")
    evidence = EvidenceField(required=False, allow_null=True, default=None,
                             help_text="佐证材料（可选；multipart/form-data 上传）")

    def validate_kind(self, value: str) -> str:
        if value not in START_STATUSES:
            raise serializers.ValidationError(_("接口只能发起户退出、返贫、清退和人员变更；“%(kind)s”请在页面办理。")
                                              % {"kind": Kind(value).label})
        return value

    def validate_year(self, value):
        this_year = timezone.localdate().year
        if value is not None and not 2014 <= value <= this_year:  # the page's choices
            raise serializers.ValidationError(_("年度应在 2014 到 %(year)s 之间。") % {"year": this_year})
        return value


# --- 动态调整台账 -------------------------------------------------------------------------------------


class LedgerEventSerializer(ModelSerializer):
    """动态调整记录: one change of the registry, by a completed procedure or an import."""

    type_label = serializers.CharField(source="get_type_display")
    change_label = serializers.CharField(source="get_change_display", allow_blank=True)
    source_label = serializers.CharField(source="get_source_display")
    actor = serializers.CharField(allow_null=True, help_text="办理人")
    procedure = serializers.IntegerField(source="procedure_id", allow_null=True, help_text="程序编号")

    class Meta:
        model = LedgerEvent
        fields = ["id", "type", "type_label", "effective", "household", "village", "head_name", "persons", "detail",
                  "change", "change_label", "actor", "source", "source_label", "procedure", "created_at"]


class ChangeFilter(serializers.Serializer):
    """The 动态调整记录 page's filters."""

    org = serializers.RegexField(r"^[0-9]{2,12}$", required=False,
                                 help_text="区划代码（管辖范围内；默认本单位）",
                                 error_messages={"invalid": _("区划代码应为 2 到 12 位数字。")})
    start = serializers.DateField(required=False, help_text="起始日期（默认今年 1 月 1 日）")
    end = serializers.DateField(required=False, help_text="截止日期（默认今天）")
    type = serializers.ChoiceField(required=False, choices=LedgerEvent.Type.choices)

    def validate(self, attrs):
        if attrs.get("start") and attrs.get("end") and attrs["start"] > attrs["end"]:
            raise serializers.ValidationError({"start": [_("起始日期不能晚于截止日期。")]})
        return attrs

