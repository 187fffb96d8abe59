"""Units of the division tree (区划) and their counts."""

from __future__ import annotations

from rest_framework import serializers

from jingzhun.orgunits.models import OrgUnit

from . import ModelSerializer


class UnitSerializer(ModelSerializer):
    level_name = serializers.CharField(source="get_level_display", read_only=True)

    class Meta:
        model = OrgUnit
        fields = ["code", "name", "level", "level_name", "parent"]


class UnitCountsSerializer(serializers.Serializer):
    """建档立卡户数 and 人口 as the indicators count them (清退 left out), and the households by status."""

    code = serializers.CharField(source="unit.code")
    name = serializers.CharField(source="unit.name")
    households = serializers.IntegerField(help_text="建档立卡户数（不含清退）")
    people = serializers.IntegerField(help_text="建档立卡人口（不含清退户，成员状态正常）")
    poor = serializers.IntegerField(help_text="未脱贫户")
    exited = serializers.IntegerField(help_text="已脱贫户")
    returned = serializers.IntegerField(help_text="返贫户")
    removed = serializers.IntegerField(help_text="清退户")
    recorded = serializers.IntegerField(help_text="登记户数（含清退）")


class UnitDetailSerializer(serializers.Serializer):
    unit = UnitSerializer()
    counts = UnitCountsSerializer()
    children = UnitCountsSerializer(many=True)
