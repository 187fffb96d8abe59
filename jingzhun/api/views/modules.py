"""/api/v1/: the modules area — 防止返贫监测, 帮扶, 考核评估 and the 督查督办 ledger (docs/api.md).

Each list reads the module's own scoped selector with the filters of its page; each write goes through the
service the page calls, after the page's named check. Reach first: a record out of reach is a 404 before
anything else is looked at (a POST-only address included), a role the page refuses is a 403.
"""

from __future__ import annotations

from django.db.models import Prefetch, Q
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from jingzhun.accounts.audit import client_ip
from jingzhun.assessment.models import Case
from jingzhun.assessment.selectors import cases_for
from jingzhun.assessment.selectors.fieldwork import cases_to_collect
from jingzhun.assistance.selectors.measures import measures_filtered
from jingzhun.assistance.selectors.visits import visits_in_reach
from jingzhun.assistance.vocab import measure_type_choices
from jingzhun.monitoring import selectors as leads
from jingzhun.monitoring import services as lead_services
from jingzhun.monitoring.models import LeadReport
from jingzhun.monitoring.vocab import Channel, Status
from jingzhun.orgunits.permissions import (
    get_in_reach,
    may_load_alerts,
    may_read_assessments,
    may_read_ledger,
    may_record_lead,
    may_survey,
    reach_code,
    require,
)
from jingzhun.registry import selectors as registry
from jingzhun.registry import vocab as registry_vocab
from jingzhun.registry.models import Household
from jingzhun.supervision.models import Item
from jingzhun.supervision.selectors import item_get, items_for
from jingzhun.supervision.services import items as ledger_services
from jingzhun.supervision.views.items import timing_q
from jingzhun.supervision.vocab import ItemKind, ItemState, Source, Timing

from ..base import ApiView, ListApiView
from ..pagination import cursor
from ..serializers.modules import (
    LeadCreatedSerializer,
    LeadCreateSerializer,
    LeadDetailSerializer,
    LeadSerializer,
    LedgerItemEventSerializer,
    LedgerItemDetailSerializer,
    LedgerItemSerializer,
    LedgerProgressSerializer,
    MeasureSerializer,
    MonitoringObjectSerializer,
    SurveyAssignmentSerializer,
    SurveyResultSerializer,
    VisitSerializer,
)

#: The largest record number (a BigAutoField): a larger one in a filter is a 400, not a database overflow.
MAX_ID = 2**63 - 1
_UNIT = {"regex": r"^\d{2,12}$", "required": False,
         "error_messages": {"invalid": gettext_lazy("单位代码应为 2 到 12 位数字。")}}


def _filters(serializer_class, request) -> dict:
    """The query's filters, validated (a wrong one is a 400 naming the parameter, never a 500)."""
    filters = serializer_class(data=request.query_params)
    filters.is_valid(raise_exception=True)
    return filters.validated_data


class MaskedListView(ListApiView):
    """A list whose serializer masks for the caller."""


# --- 防止返贫监测 ------------------------------------------------------------------------------------------

class MonitoringObjectFilter(serializers.Serializer):
    type = serializers.ChoiceField(required=False, choices=registry_vocab.MonitoringClass.choices,
                                   help_text="监测对象类别")
    risk = serializers.ChoiceField(required=False, choices=registry_vocab.risk_type_names(),
                                   help_text="风险类型（主要或其他风险类型之一）")
    status = serializers.ChoiceField(required=False, choices=[("at_risk", "风险未消除"), ("eliminated", "风险已消除")],
                                     help_text="风险是否消除")
    unit = serializers.RegexField(help_text="只列此单位（乡镇、村…）的监测对象", **_UNIT)


@extend_schema_view(get=extend_schema(parameters=[MonitoringObjectFilter]))
class MonitoringObjectList(MaskedListView):
    """监测对象：调用者管辖范围内的监测户（户类别为监测户），按户编号排序。"""

    serializer_class = MonitoringObjectSerializer
    pagination_class = cursor("code")

    def get_queryset(self):
        data = _filters(MonitoringObjectFilter, self.request)
        households = registry.household_list(
            self.request.user, category=registry_vocab.HouseholdCategory.MONITORED,
            monitoring_class=data.get("type", ""), unit=data.get("unit", ""))
        if data.get("risk"):
            risk = data["risk"]
            households = households.filter(Q(risk_type=risk) | Q(other_risk_1=risk) | Q(other_risk_2=risk))
        if data.get("status"):
            households = households.filter(risk_eliminated=data["status"] == "eliminated")
        return households


class LeadFilter(serializers.Serializer):
    channel = serializers.ChoiceField(required=False, choices=Channel.choices, help_text="来源渠道")
    status = serializers.ChoiceField(required=False, choices=Status.choices, help_text="状态")
    overdue = serializers.BooleanField(required=False, default=False, help_text="只列已过核实期限的待核实线索")
    unit = serializers.RegexField(help_text="只列此单位（乡镇、村…）的线索", **_UNIT)
    source = serializers.CharField(required=False, max_length=120, help_text="来源记录的开头，如部门预警的批次")


@extend_schema_view(
    get=extend_schema(parameters=[LeadFilter]),
    post=extend_schema(request=LeadCreateSerializer, responses={201: LeadCreatedSerializer},
                       description="登记一条线索（村级排查；能导入部门预警的县级角色也可推送部门预警），与“登记线索”页面同一服务、"
                                   "同一校验。同户同风险类型已有待核实线索时并入该线索（merged）。"))
class LeadList(MaskedListView):
    """监测线索：调用者管辖范围内的线索（帮扶责任人：其帮扶户的和本人登记的），页面的筛选条件；POST 登记线索。"""

    serializer_class = LeadSerializer
    pagination_class = cursor("id")

    def get_queryset(self):
        data = _filters(LeadFilter, self.request)
        rows = leads.leads_for(self.access)
        if data.get("channel"):
            rows = rows.filter(channel=data["channel"])
        if data.get("status"):
            rows = rows.filter(status=data["status"])
        if data.get("overdue"):
            rows = rows.filter(leads.overdue_q())
        if data.get("unit"):
            rows = rows.filter(village_id__gte=data["unit"], village_id__lt=data["unit"] + ":")
        if data.get("source"):
            rows = leads.with_source(rows, data["source"])
        return rows

    def post(self, request):
        access = self.access
        require(may_record_lead(access), _("你的角色不能登记线索。"))
        given = LeadCreateSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        if data["channel"] == Channel.DEPARTMENT:
            require(may_load_alerts(access), _("部门预警线索由能导入部门预警的县级角色推送。"))
        household = None
        if data.get("household"):
            household = get_in_reach(Household.objects.filter(access.household_q()), code=data["household"])
        try:
            lead = lead_services.lead_create(
                channel=data["channel"], village=data["village"], risk_type=data["risk_type"],
                description=data["description"], household=household, name=data.get("name", ""),
                id_number=data.get("id_number", ""), phone=data.get("phone", ""),
                source_ref=data.get("source_ref", ""), details=data.get("details"), acting_user=request.user,
                client_ip=client_ip(request._request))
        except lead_services.LeadError as exc:
            raise ValidationError({"non_field_errors": [exc.message]}) from None
        shown = _lead(access, lead.pk)
        body = LeadCreatedSerializer({"lead": shown, "reference": lead.report.reference, "merged": lead.merged},
                                     context={"access": access})
        return Response(body.data, status=status.HTTP_201_CREATED)


def _lead(who, lead_id: int):
    return get_in_reach(leads.leads_for(who).prefetch_related(
        Prefetch("report_rows", LeadReport.objects.select_related("by")), "events__actor"), pk=lead_id)


class LeadDetail(ApiView):
    """一条线索：每次报告（来源记录、预警数据）和办理记录，按调用者的角色脱敏。"""

    @extend_schema(responses=LeadDetailSerializer)
    def get(self, request, lead_id: int):
        return Response(LeadDetailSerializer(_lead(self.access, lead_id), context={"access": self.access}).data)


# --- 帮扶 -----------------------------------------------------------------------------------------------

class MeasureFilter(serializers.Serializer):
    year = serializers.IntegerField(required=False, min_value=2000, max_value=2100, help_text="年度")
    type = serializers.ChoiceField(required=False, choices=measure_type_choices(), help_text="措施类型")
    continuing = serializers.ChoiceField(required=False, choices=[("1", "是"), ("0", "否")],
                                         help_text="脱贫（风险消除）后继续享受")
    unit = serializers.RegexField(help_text="只列此单位（乡镇、村…）的户的措施", **_UNIT)


@extend_schema_view(get=extend_schema(parameters=[MeasureFilter]))
class MeasureList(ListApiView):
    """帮扶措施：调用者管辖范围内的户的措施（帮扶责任人：其帮扶户；驻村工作队：所驻村），页面的筛选条件。"""

    serializer_class = MeasureSerializer
    pagination_class = cursor("id")

    def get_queryset(self):
        data = _filters(MeasureFilter, self.request)
        return measures_filtered(self.access, year=data.get("year"), type=data.get("type", ""),
                                 unit=data.get("unit", ""), continuing=data.get("continuing", ""))


class VisitFilter(serializers.Serializer):
    unit = serializers.RegexField(help_text="只列此单位（乡镇、村…）的走访；须在管辖范围内", **_UNIT)


@extend_schema_view(get=extend_schema(parameters=[VisitFilter]))
class VisitList(MaskedListView):
    """走访记录：调用者管辖范围内的户的走访（帮扶责任人：只看其帮扶户的），位置仅信息员可见。"""

    serializer_class = VisitSerializer
    pagination_class = cursor("id")

    def get_queryset(self):
        data = _filters(VisitFilter, self.request)
        visits = visits_in_reach(self.request.user)
        if data.get("unit"):  # one unit's visits within reach (out of reach: 404, as on the page)
            reach_code(self.access, data["unit"])
            visits = visits.filter(household__code__startswith=data["unit"])
        return visits


# --- 考核评估 ---------------------------------------------------------------------------------------------

class SurveyAssignmentList(ListApiView):
    """调查任务：调用者所在调查组待调查和被督导退回的样本户（平板同步读取，与“入户调查（手机）”页面同一数据）。"""

    serializer_class = SurveyAssignmentSerializer
    pagination_class = cursor("id")

    def get_queryset(self):
        require(may_survey(self.access), _("入户调查页面供第三方评估的调查人员使用。"))
        return cases_to_collect(self.request.user)


class SurveyResultFilter(serializers.Serializer):
    assessment = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID, help_text="考核评估编号")
    state = serializers.ChoiceField(required=False, choices=[c for c in Case.State.choices
                                                             if c[0] != Case.State.ASSIGNED], help_text="状态")
    frame = serializers.ChoiceField(required=False, choices=Case.Frame.choices, help_text="抽样框")
    unit = serializers.RegexField(help_text="只列此单位（乡镇、村）的样本户", **_UNIT)


@extend_schema_view(get=extend_schema(parameters=[SurveyResultFilter]))
class SurveyResultList(ListApiView):
    """调查结果：调用者可见的考核评估中已提交的问卷、判定和理由（乡镇、村、帮扶责任人和部门不可查看）。"""

    serializer_class = SurveyResultSerializer
    pagination_class = cursor("id")

    def get_queryset(self):
        require(may_read_assessments(self.access), _("考核评估不对乡镇、村、帮扶人员和县直部门开放。"))
        data = _filters(SurveyResultFilter, self.request)
        rows = cases_for(self.request.user).exclude(state=Case.State.ASSIGNED).select_related(
            "assessment", "interviewer")
        if data.get("assessment"):
            rows = rows.filter(assessment_id=data["assessment"])
        if data.get("state"):
            rows = rows.filter(state=data["state"])
        if data.get("frame"):
            rows = rows.filter(frame=data["frame"])
        if data.get("unit"):
            rows = rows.filter(village__startswith=data["unit"])
        return rows


# --- 督查督办: the ledger --------------------------------------------------------------------------------

_LEDGER_REFUSED = gettext_lazy("督查督办台账不对帮扶责任人和驻村工作队开放。")


class LedgerItemFilter(serializers.Serializer):
    batch = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID, help_text="交办批次编号")
    agency = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID, help_text="责任单位编号")
    kind = serializers.ChoiceField(required=False, choices=ItemKind.choices, help_text="台账类别")
    source = serializers.ChoiceField(required=False, choices=Source.choices, help_text="问题来源")
    state = serializers.ChoiceField(required=False, choices=ItemState.choices, help_text="状态")
    aspect = serializers.CharField(required=False, max_length=64, help_text="方面")
    timing = serializers.ChoiceField(required=False, choices=Timing.choices, help_text="时限情况")
    overdue = serializers.BooleanField(required=False, default=False, help_text="只列逾期未销号的事项（同 timing=overdue）")
    q = serializers.CharField(required=False, max_length=60, help_text="搜索问题、具体表现、责任人")


@extend_schema_view(get=extend_schema(parameters=[LedgerItemFilter]))
class LedgerItemList(ListApiView):
    """整改台账：调用者管辖范围内的事项（县及以上整县，乡镇、村本单位的和涉及本单位的，部门本部门的），列表页的筛选条件。"""

    serializer_class = LedgerItemSerializer
    pagination_class = cursor("id")

    def get_queryset(self):
        require(may_read_ledger(self.access), str(_LEDGER_REFUSED))
        data = _filters(LedgerItemFilter, self.request)
        items = items_for(self.access)
        for name in ("batch", "agency"):
            if data.get(name):
                items = items.filter(**{f"{name}_id": data[name]})
        for name in ("kind", "source", "state", "aspect"):
            if data.get(name):
                items = items.filter(**{name: data[name]})
        if data.get("q"):
            words = data["q"].strip()
            items = items.filter(Q(title__icontains=words) | Q(detail__icontains=words)
                                 | Q(responsible__icontains=words))
        today = timezone.localdate()
        for timing in {data.get("timing"), Timing.OVERDUE if data.get("overdue") else None} - {None, ""}:
            counties = list(items.values_list("county_id", flat=True).distinct())
            items = items.filter(timing_q(timing, counties, today))
        return items.select_related("batch", "agency", "lead_agency")


def _ledger_item(request, access, item_id: int) -> Item:
    require(may_read_ledger(access), str(_LEDGER_REFUSED))
    return item_get(request.user, item_id)


class LedgerItemDetail(ApiView):
    """一个台账事项及其办理记录（交办、签收、进展、办结报告、复核、销号）。"""

    @extend_schema(responses=LedgerItemDetailSerializer)
    def get(self, request, item_id: int):
        return Response(LedgerItemDetailSerializer(_ledger_item(request, self.access, item_id)).data)


class LedgerItemProgress(ApiView):
    """报送进展：责任单位的经办人员为“办理中”的事项报送进展（与事项页面同一服务、同一检查）。"""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        # reach before the method: an item out of reach is a 404 whatever is asked of it
        _ledger_item(request, self.access, kwargs["item_id"])

    @extend_schema(request={"application/json": LedgerProgressSerializer,
                            "multipart/form-data": LedgerProgressSerializer},
                   responses={201: LedgerItemEventSerializer})
    def post(self, request, item_id: int):
        given = LedgerProgressSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        item = item_get(request.user, item_id)
        try:
            event = ledger_services.item_progress(
                acting_user=request.user, item_id=item.pk, note=data["note"],
                percent=data.get("percent") if item.kind != ItemKind.PROBLEM else None,
                upload=data.get("evidence"), ip=client_ip(request._request))
        except ledger_services.LedgerError as exc:
            raise ValidationError({"non_field_errors": [exc.message]}) from None
        return Response(LedgerItemEventSerializer(event).data, status=status.HTTP_201_CREATED)


urlpatterns = [
    path("monitoring/objects/", MonitoringObjectList.as_view(), name="monitoring_object_list"),
    path("monitoring/leads/", LeadList.as_view(), name="lead_list"),
    path("monitoring/leads/<int:lead_id>/", LeadDetail.as_view(), name="lead_detail"),
    path("assistance/measures/", MeasureList.as_view(), name="measure_list"),
    path("assistance/visits/", VisitList.as_view(), name="visit_list"),
    path("assessment/assignments/", SurveyAssignmentList.as_view(), name="survey_assignment_list"),
    path("assessment/results/", SurveyResultList.as_view(), name="survey_result_list"),
    path("ledger/items/", LedgerItemList.as_view(), name="ledger_item_list"),
    path("ledger/items/<int:item_id>/", LedgerItemDetail.as_view(), name="ledger_item_detail"),
    path("ledger/items/<int:item_id>/progress/", LedgerItemProgress.as_view(), name="ledger_item_progress"),
]
