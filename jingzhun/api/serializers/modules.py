"""防止返贫监测, 帮扶, 考核评估 and 督查督办 as the API shows them, masked as their pages mask.

Every serializer that carries personal data reads the caller's `Access` from the context (`access`): ID
and phone numbers through `mask_id` / `mask_phone`, and a lead's 困难描述 and 核实说明 (illness, disability,
hospital bills) only for the roles that see full ID numbers, as the lead pages do.
"""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from jingzhun.assessment.models import Case
from jingzhun.assessment.selectors.fieldwork import reason_texts, village_names
from jingzhun.assistance.models import Measure, Visit
from jingzhun.assistance.vocab import measure_types
from jingzhun.monitoring.models import Lead, LeadEvent, LeadReport
from jingzhun.monitoring.services import DESCRIPTION_MAX, NAME_MAX, PHONE_MAX, SOURCE_REF_MAX
from jingzhun.monitoring.vocab import Channel, RiskType
from jingzhun.orgunits.access import Access
from jingzhun.registry.models import Household
from jingzhun.supervision.models import Item, ItemEvent
from jingzhun.supervision.selectors import warning_days
from jingzhun.supervision.vocab import Timing

from . import ModelSerializer


class WithAccess(serializers.Serializer):
    """A serializer that masks for the caller (`context["access"]`)."""

    @property
    def access(self) -> Access:
        return self.context["access"]


def _narrative(access: Access, text: str) -> str:
    """困难描述 / 核实说明: for the roles that see full ID numbers; withheld (a placeholder) from the others."""
    if not text or access.sees_full_ids:
        return text
    return _("（仅办理人员可见）")


# --- 防止返贫监测: monitoring objects and leads -----------------------------------------------------------

class MonitoringObjectSerializer(WithAccess, ModelSerializer):
    """监测对象: a 监测户 in reach, its class, risks and whether the risk is eliminated."""

    village_name = serializers.CharField(source="village.short_name", read_only=True)
    head_id_number = serializers.SerializerMethodField(help_text="户主身份证号（只读角色脱敏）")
    phone = serializers.SerializerMethodField(help_text="联系电话（只读角色脱敏）")
    other_risks = serializers.ListField(child=serializers.CharField(), read_only=True, help_text="其他风险类型")

    class Meta:
        model = Household
        fields = ["code", "village", "village_name", "head_name", "head_id_number", "phone", "monitoring_class",
                  "monitoring_since", "risk_type", "other_risks", "risk_eliminated", "risk_eliminated_on", "status",
                  "attribute", "income_12m", "income_12m_verified_on"]

    def get_head_id_number(self, household: Household) -> str:
        return self.access.mask_id(household.head_id_number)

    def get_phone(self, household: Household) -> str:
        return self.access.mask_phone(household.phone)


class LeadSerializer(WithAccess, ModelSerializer):
    """一条线索 as the queue lists it."""

    channel_name = serializers.CharField(source="get_channel_display", read_only=True)
    village_name = serializers.CharField(source="village.short_name", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    risk_type_name = serializers.CharField(source="get_risk_type_display", read_only=True)
    status_name = serializers.CharField(source="get_status_display", read_only=True)
    id_number = serializers.SerializerMethodField(help_text="身份证号（只读角色脱敏）")
    phone = serializers.SerializerMethodField(help_text="联系电话（只读角色脱敏）")
    description = serializers.SerializerMethodField(help_text="困难描述（仅办理人员可见）")
    result_reason = serializers.SerializerMethodField(help_text="核实说明（仅办理人员可见）")
    overdue = serializers.SerializerMethodField(help_text="待核实且已过核实期限")

    class Meta:
        model = Lead
        fields = ["id", "channel", "channel_name", "village", "village_name", "unit", "unit_name", "risk_type",
                  "risk_type_name", "household", "name", "id_number", "phone", "description", "reports", "status",
                  "status_name", "result", "result_reason", "created_at", "verify_due", "decide_due", "verified_at",
                  "overdue"]

    def get_id_number(self, lead: Lead) -> str:
        return self.access.mask_id(lead.id_number)

    def get_phone(self, lead: Lead) -> str:
        return self.access.mask_phone(lead.phone)

    def get_description(self, lead: Lead) -> str:
        return _narrative(self.access, lead.description)

    def get_result_reason(self, lead: Lead) -> str:
        return _narrative(self.access, lead.result_reason)

    def get_overdue(self, lead: Lead) -> bool:
        return lead.status == Lead.Status.PENDING and lead.verify_due < timezone.localdate()


class LeadReportSerializer(WithAccess, ModelSerializer):
    """One report of a lead as it came in (a department's alert data only to those who see full IDs)."""

    channel_name = serializers.CharField(source="get_channel_display", read_only=True)
    id_number = serializers.SerializerMethodField()
    phone = serializers.SerializerMethodField()
    description = serializers.SerializerMethodField()
    details = serializers.SerializerMethodField(help_text="预警数据（仅办理人员可见）")
    by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = LeadReport
        fields = ["id", "reference", "channel", "channel_name", "name", "id_number", "phone", "description",
                  "source_ref", "details", "at", "by"]

    def get_id_number(self, report: LeadReport) -> str:
        return self.access.mask_id(report.id_number)

    def get_phone(self, report: LeadReport) -> str:
        return self.access.mask_phone(report.phone)

    def get_description(self, report: LeadReport) -> str:
        return _narrative(self.access, report.description)

    def get_details(self, report: LeadReport) -> dict:
        return report.details if self.access.sees_full_ids else {}


class LeadEventSerializer(WithAccess, ModelSerializer):
    kind_name = serializers.CharField(source="get_kind_display", read_only=True)
    note = serializers.SerializerMethodField(help_text="说明（核实说明仅办理人员可见）")
    actor = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = LeadEvent
        fields = ["id", "kind", "kind_name", "note", "actor", "at"]

    def get_note(self, event: LeadEvent) -> str:
        # a 核实 event's note is the 核实说明: withheld like it
        return _narrative(self.access, event.note) if event.kind == LeadEvent.Kind.VERIFIED else event.note


class LeadDetailSerializer(LeadSerializer):
    """A lead with each report and what happened to it."""

    report_rows = LeadReportSerializer(many=True, read_only=True)
    events = LeadEventSerializer(many=True, read_only=True)

    class Meta(LeadSerializer.Meta):
        fields = [*LeadSerializer.Meta.fields, "report_rows", "events"]


#: The channels a lead may be pushed by through the API (the public report page is the farmers' own).
PUSH_CHANNELS = [(Channel.VILLAGE_CHECK.value, Channel.VILLAGE_CHECK.label),
                 (Channel.DEPARTMENT.value, Channel.DEPARTMENT.label)]


class LeadCreateSerializer(serializers.Serializer):
    """村级排查 (or, for the county roles that load department alerts, 部门预警): the lead form's fields."""

    channel = serializers.ChoiceField(choices=PUSH_CHANNELS, default=Channel.VILLAGE_CHECK.value,
                                      help_text="村级排查，或部门预警（仅能导入部门预警的县级角色）")
    village = serializers.RegexField(r"^\d{12}$", help_text="村代码（12 位）",
                                     error_messages={"invalid": gettext_lazy("村代码应为 12 位数字。")})
    household = serializers.RegexField(r"^\d{16}$", required=False, allow_blank=True,
                                       help_text="已登记的户填写户编号；未登记的填写户主姓名和身份证号",
                                       error_messages={"invalid": gettext_lazy("户编号应为 16 位数字。")})
    name = serializers.CharField(required=False, allow_blank=True, max_length=NAME_MAX)
    id_number = serializers.CharField(required=False, allow_blank=True, max_length=18)
    phone = serializers.CharField(required=False, allow_blank=True, max_length=PHONE_MAX)
    risk_type = serializers.ChoiceField(choices=RiskType.choices)
    description = serializers.CharField(max_length=DESCRIPTION_MAX)
    source_ref = serializers.CharField(required=False, allow_blank=True, max_length=SOURCE_REF_MAX,
                                       help_text="来源记录，如部门预警的批次和行")
    details = serializers.DictField(required=False, help_text="预警数据（键值表，不超过 50 项）")


class LeadCreatedSerializer(serializers.Serializer):
    lead = LeadDetailSerializer()
    reference = serializers.CharField(help_text="受理编号")
    merged = serializers.BooleanField(help_text="并入了同户同风险类型的待核实线索")


# --- 帮扶: measures and visits -------------------------------------------------------------------------------

class MeasureSerializer(ModelSerializer):
    """一项帮扶措施 as the measure list shows it (the type's details stay on the measure's page)."""

    head_name = serializers.CharField(source="household.head_name", read_only=True)
    member_name = serializers.CharField(source="member.name", read_only=True, allow_null=True, default=None)
    type_name = serializers.SerializerMethodField()

    class Meta:
        model = Measure
        fields = ["id", "household", "head_name", "member", "member_name", "year", "type", "type_name", "name",
                  "amount", "start", "end", "responsible_unit", "continues_after_exit"]

    def get_type_name(self, measure: Measure) -> str:
        mtype = measure_types().get(measure.type)
        return _(mtype.name) if mtype is not None else measure.type


class VisitSerializer(WithAccess, ModelSerializer):
    """一次走访; the location only for the record keepers, as on the household page."""

    head_name = serializers.CharField(source="household.head_name", read_only=True)
    village_name = serializers.CharField(source="household.village.short_name", read_only=True)
    visitor = serializers.SlugRelatedField(slug_field="username", read_only=True)
    latitude = serializers.SerializerMethodField(help_text="纬度（仅信息员可见）")
    longitude = serializers.SerializerMethodField(help_text="经度（仅信息员可见）")
    photos = serializers.SerializerMethodField(help_text="照片张数")

    class Meta:
        model = Visit
        fields = ["id", "client_id", "household", "head_name", "village_name", "visitor", "visited_on", "met",
                  "situation", "needs", "done", "latitude", "longitude", "photos", "recorded_at", "received_at"]

    def _located(self, visit: Visit) -> bool:
        return self.access.sees_full_ids and visit.latitude is not None

    @extend_schema_field(serializers.DecimalField(max_digits=9, decimal_places=6, allow_null=True))
    def get_latitude(self, visit: Visit):
        return str(visit.latitude) if self._located(visit) else None

    @extend_schema_field(serializers.DecimalField(max_digits=9, decimal_places=6, allow_null=True))
    def get_longitude(self, visit: Visit):
        return str(visit.longitude) if self._located(visit) and visit.longitude is not None else None

    def get_photos(self, visit: Visit) -> int:
        return len(visit.photos.all())


# --- 考核评估: survey assignments and results -----------------------------------------------------------------

class _CaseBase(ModelSerializer):
    assessment_title = serializers.CharField(source="assessment.title", read_only=True)
    village_name = serializers.SerializerMethodField()
    frame_name = serializers.CharField(source="get_frame_display", read_only=True)
    state_name = serializers.CharField(source="get_state_display", read_only=True)

    def get_village_name(self, case: Case) -> str:
        names = self.context.setdefault("village_names", {})
        if case.village not in names:
            names.update(village_names([case.village]))
        return names.get(case.village, case.village)


class SurveyAssignmentSerializer(_CaseBase):
    """A case on the enumerator's tablet: what they need at the door, and why it came back."""

    team = serializers.CharField(source="team.name", read_only=True, allow_null=True, default=None)
    rejection = serializers.SerializerMethodField(help_text="督导退回的理由")
    answers = serializers.SerializerMethodField(help_text="退回的问卷（重新调查时修改）")

    class Meta:
        model = Case
        fields = ["id", "assessment", "assessment_title", "team", "village", "village_name", "head_name", "address",
                  "frame", "frame_name", "state", "state_name", "rejection", "answers"]

    def get_rejection(self, case: Case) -> str:
        return (getattr(case, "rejection", "") or "") if case.state == Case.State.REJECTED else ""

    def get_answers(self, case: Case) -> dict:
        return case.answers if case.state == Case.State.REJECTED else {}


class SurveyResultSerializer(_CaseBase):
    """A submitted questionnaire with its verdict, paradata and reasons (no ID number: a case has none)."""

    county = serializers.CharField(source="assessment.county", read_only=True)
    interviewer = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    reasons = serializers.SerializerMethodField(help_text="判定理由")

    class Meta:
        model = Case
        fields = ["id", "assessment", "assessment_title", "county", "village", "village_name", "household",
                  "head_name", "frame", "frame_name", "state", "state_name", "interviewer", "started_at", "ended_at",
                  "duration_seconds", "persons", "wrong_exit", "missed", "approves", "reasons", "answers",
                  "notified_at"]

    def get_reasons(self, case: Case) -> list[str]:
        return reason_texts(case)


# --- 督查督办: ledger items ------------------------------------------------------------------------------

class LedgerItemSerializer(ModelSerializer):
    """台账事项 as the ledger lists it, with its deadline colour (the county's 临期 days)."""

    batch_name = serializers.CharField(source="batch.name", read_only=True, allow_null=True, default=None)
    kind_name = serializers.CharField(source="get_kind_display", read_only=True)
    source_name = serializers.CharField(source="get_source_display", read_only=True)
    state_name = serializers.CharField(source="get_state_display", read_only=True)
    agency_name = serializers.CharField(source="agency.name", read_only=True, allow_null=True, default=None)
    lead_agency_name = serializers.CharField(source="lead_agency.name", read_only=True, allow_null=True,
                                             default=None)
    timing = serializers.SerializerMethodField(help_text="时限情况")
    days_left = serializers.SerializerMethodField(help_text="剩余天数（逾期为负；无时限或已销号为空）")

    class Meta:
        model = Item
        fields = ["id", "county", "batch", "batch_name", "number", "kind", "kind_name", "source", "source_name",
                  "aspect", "title", "detail", "lead_agency", "lead_agency_name", "agency", "agency_name",
                  "responsible", "measures", "deadline", "state", "state_name", "timing", "days_left", "percent",
                  "closed_on", "reopened", "created_at", "updated_at"]

    def _today(self) -> datetime.date:
        return self.context.setdefault("today", timezone.localdate())

    @extend_schema_field(serializers.ChoiceField(choices=Timing.choices))
    def get_timing(self, item: Item) -> str:
        days = self.context.setdefault("warning_days", {})
        if item.county_id not in days:
            days[item.county_id] = warning_days(item.county_id, self._today().year)
        return item.timing(self._today(), days[item.county_id])

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_days_left(self, item: Item):
        return item.days_left(self._today())


class LedgerItemEventSerializer(ModelSerializer):
    kind_name = serializers.CharField(source="get_kind_display", read_only=True)
    actor = serializers.SlugRelatedField(slug_field="username", read_only=True)
    has_evidence = serializers.SerializerMethodField(help_text="附有佐证材料（在事项页面下载）")

    class Meta:
        model = ItemEvent
        fields = ["id", "kind", "kind_name", "note", "percent", "state_after", "evidence_name", "has_evidence",
                  "actor", "at"]

    def get_has_evidence(self, event: ItemEvent) -> bool:
        return bool(event.evidence)


class LedgerItemDetailSerializer(LedgerItemSerializer):
    """An item with its progress log and the units and households it touches."""

    events = serializers.SerializerMethodField()
    affected_units = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    households = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta(LedgerItemSerializer.Meta):
        fields = [*LedgerItemSerializer.Meta.fields, "affected_units", "households", "events"]

    @extend_schema_field(LedgerItemEventSerializer(many=True))
    def get_events(self, item: Item):
        return LedgerItemEventSerializer(item.events.select_related("actor").order_by("at", "pk"), many=True).data


class LedgerProgressSerializer(serializers.Serializer):
    """报送进展: what was done, the % complete (tasks and projects only) and optionally a PDF or photo."""

    note = serializers.CharField(help_text="进展情况")
    percent = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=100,
                                       help_text="完成进度（%），整改问题不填")
    evidence = serializers.FileField(required=False, help_text="佐证材料：PDF 或照片（JPG、PNG），不超过 20 MB")
