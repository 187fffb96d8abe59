"""/api/v1/households/ and /api/v1/members/: the registry through the same selectors, forms and services as
its pages (registry.views): reach and masking from the caller's Access, edits through `household_update`
and `member_update` with the pages' form validation and a required reason, and a streamed member export."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pyarrow as pa
from django.http import StreamingHttpResponse
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, serializers
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.response import Response

from jingzhun.accounts.audit import audit
from jingzhun.accounts.models import AuditEvent
from jingzhun.exchange.template import MEMBER_COLUMNS, Kind
from jingzhun.orgunits.permissions import Refused, get_in_reach
from jingzhun.registry import selectors, services, vocab
from jingzhun.registry.forms import HouseholdForm, MemberForm
from jingzhun.registry.models import Member
from jingzhun.registry.search import id_search_refusal, search_throttled

from ..base import ApiView, ListApiView
from ..pagination import cursor
from ..serializers.registry import (HistoryEntrySerializer, HouseholdChangedSerializer, HouseholdDetailSerializer,
                                    HouseholdListSerializer, HouseholdUpdateSerializer, MemberChangedSerializer,
                                    MemberSerializer, MemberUpdateSerializer)
from ..streaming import CSV, NDJSON, StreamColumn, csv_chunks, mask_ids, ndjson_lines

_UNIT_NOT_OFFERED = gettext_lazy("“%(value)s”不在您的范围内；请填写管辖范围内（或其上级）的区划代码。")


def _unit_in_reach(access, code: str) -> str:
    """A unit filter as the list pages take it: a unit in reach, or one above the caller's own."""
    if code and not (access.reaches_code(code) or (access.active and access.prefix.startswith(code))):
        raise serializers.ValidationError(_UNIT_NOT_OFFERED % {"value": code})
    return code


class HouseholdFilter(serializers.Serializer):
    """The household list page's filters (registry.forms.HouseholdFilterForm)."""

    category = serializers.ChoiceField(required=False, allow_blank=True, choices=vocab.HouseholdCategory.choices,
                                       help_text="户类别")
    monitoring_class = serializers.ChoiceField(required=False, allow_blank=True,
                                               choices=vocab.MonitoringClass.choices, help_text="监测对象类别")
    status = serializers.ChoiceField(required=False, allow_blank=True,
                                     choices=[*vocab.PovertyStatus.choices, (vocab.REMAINING_POOR, "剩余贫困")],
                                     help_text="脱贫状态；“剩余贫困”为未脱贫和返贫")
    attribute = serializers.ChoiceField(required=False, allow_blank=True, choices=vocab.HouseholdAttribute.choices,
                                        help_text="贫困户属性")
    main_cause = serializers.ChoiceField(required=False, allow_blank=True, choices=vocab.PovertyCause.choices,
                                         help_text="主要致贫原因")
    unit = serializers.RegexField(r"^\d{2,12}$", required=False, allow_blank=True,
                                  help_text="区划代码（乡镇、村……）：只列其下的户")
    q = serializers.CharField(required=False, allow_blank=True, max_length=40,
                              help_text="户主或成员姓名、户编号开头，或身份证号（仅能看到完整身份证号的角色；"
                                        "按身份证号查询留审计记录，且限频）")

    def validate_unit(self, value: str) -> str:
        return _unit_in_reach(self.context["access"], value)


def _guard_search(request, text: str) -> None:
    """The household list page's search guard (registry.search), answered as API errors.

    Throttled per person (429); a search that looks like an ID number is audited, and refused (403) for a
    role that sees ID numbers masked — the page says why and matches nothing by ID; the API says so plainly.
    """
    if not text:
        return
    if search_throttled(request.user):
        raise exceptions.Throttled(wait=60)
    if refusal := id_search_refusal(request, text, what="households"):
        raise Refused(refusal)


@extend_schema_view(get=extend_schema(parameters=[HouseholdFilter]))
class HouseholdList(ListApiView):
    """贫困户名单：调用者管辖范围内的户，筛选与页面相同，按户编号排序；身份证号、电话按角色打码。"""

    serializer_class = HouseholdListSerializer
    pagination_class = cursor("code")

    def get_queryset(self):
        filters = HouseholdFilter(data=self.request.query_params, context={"access": self.access})
        filters.is_valid(raise_exception=True)
        data = filters.validated_data
        _guard_search(self.request, data.get("q", "").strip())
        return selectors.household_list(
            self.request.user, status=data.get("status", ""), attribute=data.get("attribute", ""),
            main_cause=data.get("main_cause", ""), unit=data.get("unit", ""), text=data.get("q", ""),
            category=data.get("category", ""), monitoring_class=data.get("monitoring_class", "")
        ).select_related("village", "cadre")


def _form_value(value):
    """A model value as the pages' forms receive it from a browser (是/否 selects send true/false)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (datetime.date, Decimal)):
        return value.isoformat() if isinstance(value, datetime.date) else format(value, "f")
    return str(value)


def _edit(serializer_class, form_class, instance, fields, data) -> tuple[dict, str]:
    """A PATCH's changes checked by the API serializer and then by the page's form: (cleaned data, reason)."""
    incoming = serializer_class(instance, data=data, partial=True)
    incoming.is_valid(raise_exception=True)
    if "reason" not in incoming.validated_data:
        raise exceptions.ValidationError({"reason": [_("请填写修改原因。")]})
    changes = dict(incoming.validated_data)
    reason = changes.pop("reason")
    return _validated_by_form(form_class, instance, fields, changes), reason


def _validated_by_form(form_class, instance, fields, changes: dict) -> dict:
    """The page's form over the stored values with `changes` on top: its cleaned data, or its errors (400).

    A PATCH names only what it changes; the form checks the whole record as the edit page would (the
    ID number's checksum when it changes, 性别 against the ID number, 务工 and its months, causes…).
    """
    data = {name: _form_value(getattr(instance, name)) for name in fields}
    data.update({name: _form_value(value) for name, value in changes.items()})
    form = form_class(data, instance=instance)
    if not form.is_valid():
        raise exceptions.ValidationError({name: list(errors) for name, errors in form.errors.items()})
    return form.cleaned_data


class HouseholdDetail(ApiView):
    """一户：户表各项、收入、帮扶责任人和家庭成员，与户详情页相同（打码相同）；PATCH 按编辑页修改。"""

    def _detail(self, code: str):
        household = selectors.household_get(self.request.user, code)
        return HouseholdDetailSerializer(household, context=self.get_serializer_context()).data

    @extend_schema(responses=HouseholdDetailSerializer)
    def get(self, request, code: str):
        return Response(self._detail(code))

    @extend_schema(request=HouseholdUpdateSerializer, responses=HouseholdChangedSerializer)
    def patch(self, request, code: str):
        household = selectors.household_get_for_update(request.user, code)  # 404 out of reach, 403 read-only
        cleaned, reason = _edit(HouseholdUpdateSerializer, HouseholdForm, household, services.HOUSEHOLD_EDITABLE,
                                request.data)
        # a service's own ValidationError is answered 400 by the exception handler (api/errors.py)
        changed = services.household_update(code=code, acting_user=request.user, data=cleaned, reason=reason)
        return Response({"changed": changed, "household": self._detail(code)})


class MemberList(ListApiView):
    """一户的家庭成员（身份证号按角色打码），按成员编号排序。"""

    serializer_class = MemberSerializer
    pagination_class = cursor("id")

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no household
            return Member.objects.none()
        return selectors.household_get(self.request.user, self.kwargs["code"]).members.all()


class MemberDetail(ApiView):
    """一名家庭成员；PATCH 按成员编辑页修改（须填修改原因）。"""

    def _member(self, code: str, member_id: int) -> Member:
        household = selectors.household_get(self.request.user, code)
        # a member id of another household under this household's code is a forged URL: out of reach
        return get_in_reach(household.members.all(), pk=member_id)

    @extend_schema(responses=MemberSerializer)
    def get(self, request, code: str, member_id: int):
        return Response(MemberSerializer(self._member(code, member_id), context=self.get_serializer_context()).data)

    @extend_schema(request=MemberUpdateSerializer, responses=MemberChangedSerializer)
    def patch(self, request, code: str, member_id: int):
        member = selectors.member_get_for_update(request.user, code, member_id)  # 404, then 403 read-only
        cleaned, reason = _edit(MemberUpdateSerializer, MemberForm, member, services.MEMBER_EDITABLE, request.data)
        changed = services.member_update(household_code=code, member_id=member_id, acting_user=request.user,
                                         data=cleaned, reason=reason)
        return Response({"changed": changed,
                         "member": MemberSerializer(self._member(code, member_id), context=self.get_serializer_context()).data})


class HouseholdHistory(ApiView):
    """一户及其成员的变更记录（最新在前，最多 50 条），身份证号、电话按角色打码，与户详情页相同。"""

    @extend_schema(responses=HistoryEntrySerializer(many=True))
    def get(self, request, code: str):
        household = selectors.household_get(request.user, code)
        entries = selectors.history_of(household, access=self.access)
        return Response(HistoryEntrySerializer(entries, many=True).data)


class ExportFilter(serializers.Serializer):
    unit = serializers.RegexField(r"^\d{2,12}$", required=False, help_text="区划代码：导出其下（管辖范围内）各户的全部成员；"
                                                                          "不填为整个管辖范围")
    format = serializers.ChoiceField(choices=[("ndjson", "NDJSON"), ("csv", "CSV")], default="ndjson",
                                     help_text="ndjson（每行一个 JSON 对象，键为字段名）或 csv（表头同交换模板人员表，UTF-8 带 BOM）")


def _member_columns(access) -> list[StreamColumn]:
    """The exchange template's 人员表, column for column (docs/template-v2.md); NDJSON keys are field names."""
    columns = []
    for column in MEMBER_COLUMNS:
        type_ = pa.bool_() if column.kind == Kind.BOOL else pa.int32() if column.kind == Kind.INT else pa.string()
        transform = mask_ids if column.kind == Kind.ID_NUMBER and not access.sees_full_ids else None
        columns.append(StreamColumn(column.field, column.field, column.header, type_, transform))
    return columns


class _StreamNegotiation(BaseContentNegotiation):
    """`?format=` names the stream's format here, not a renderer: answers other than the stream are JSON."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None


class MemberExport(ApiView):
    """成员批量导出：某单位下管辖范围内各户的全部成员，以 NDJSON 或 CSV 流式返回（不整体载入内存）。

    身份证号按角色打码；每次导出留一条审计记录（导出，含人数）。
    """

    content_negotiation_class = _StreamNegotiation

    @extend_schema(parameters=[ExportFilter], responses={
        (200, NDJSON): OpenApiResponse(OpenApiTypes.STR, description="每行一个成员（JSON 对象，键为人员表字段名）"),
        (200, CSV): OpenApiResponse(OpenApiTypes.STR, description="人员表（表头同交换模板），UTF-8 带 BOM"),
    })
    def get(self, request):
        filters = ExportFilter(data=request.query_params)
        filters.is_valid(raise_exception=True)
        unit, fmt = filters.validated_data.get("unit", ""), filters.validated_data["format"]
        if unit:
            selectors.unit_get(request.user, unit)  # 404 for a unit out of reach
        members = selectors.members_for(request.user)
        if unit:
            members = members.filter(household_id__gte=unit, household_id__lt=unit + ":")
        members = members.order_by("household_id", "id")
        count = members.count()
        masked = not self.access.sees_full_ids
        audit(request, AuditEvent.Action.EXPORT, f"members-{unit or self.access.prefix or 'all'}.{fmt}", count=count,
              what="members", unit=unit, format=fmt, masked=masked, source="api")
        columns = _member_columns(self.access)
        body = ndjson_lines(members, columns) if fmt == "ndjson" else csv_chunks(members, columns)
        response = StreamingHttpResponse(body, content_type=NDJSON if fmt == "ndjson" else f"{CSV}; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="members-{unit or "all"}.{fmt}"'
        response["X-Total-Count"] = str(count)
        return response


urlpatterns = [
    path("households/", HouseholdList.as_view(), name="household_list"),
    path("households/<str:code>/", HouseholdDetail.as_view(), name="household_detail"),
    path("households/<str:code>/members/", MemberList.as_view(), name="member_list"),
    path("households/<str:code>/members/<int:member_id>/", MemberDetail.as_view(), name="member_detail"),
    path("households/<str:code>/history/", HouseholdHistory.as_view(), name="household_history"),
    path("members/export/", MemberExport.as_view(), name="member_export"),
]
