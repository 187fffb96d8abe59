"""/api/v1/units/: the division tree in the caller's reach, and a unit's counts with its children's."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.response import Response

from jingzhun.orgunits.models import OrgUnit
from jingzhun.registry import selectors

from ..base import ApiView, ListApiView
from ..pagination import cursor
from ..serializers.units import UnitDetailSerializer, UnitSerializer


class UnitFilter(serializers.Serializer):
    parent = serializers.CharField(required=False, max_length=12, help_text="只列此单位的下级")
    level = serializers.ChoiceField(required=False, choices=[1, 2, 3, 4, 5], help_text="1 省 … 5 村")


@extend_schema_view(get=extend_schema(parameters=[UnitFilter]))
class UnitList(ListApiView):
    """区划单位：调用者管辖范围内的各级单位，按代码排序。"""

    serializer_class = UnitSerializer
    pagination_class = cursor("code")

    def get_queryset(self):
        filters = UnitFilter(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        units = self.access.filter_units(OrgUnit.objects.all())
        if "parent" in filters.validated_data:
            units = units.filter(parent_id=filters.validated_data["parent"])
        if "level" in filters.validated_data:
            units = units.filter(level=filters.validated_data["level"])
        return units


class UnitDetail(ApiView):
    """一个单位及其下级单位的户数、人数（与“建档立卡”页面同一口径）。"""

    @extend_schema(responses=UnitDetailSerializer)
    def get(self, request, code: str):
        unit = selectors.unit_get(request.user, code)
        total, children = selectors.unit_children_counts(request.user, unit)
        return Response(UnitDetailSerializer({"unit": unit, "counts": total, "children": children}).data)
