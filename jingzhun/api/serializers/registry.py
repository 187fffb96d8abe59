"""Households (户表), members (人员表) and their change history; ID numbers and phones masked per the caller.

Reads take the caller's `Access` from the serializer context (`{"access": ...}`): the masked fields show
what the pages show the same role (`Access.mask_id`, `Access.mask_phone`). Writes are validated here for
types and then by the pages' own forms (registry.forms), so the API accepts exactly what the pages accept.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from jingzhun.registry import vocab
from jingzhun.registry.models import Household, Member
from jingzhun.registry.services import HOUSEHOLD_EDITABLE, MEMBER_EDITABLE

from . import ModelSerializer


#: 年人均纯收入 as a decimal string (two places), null for a household without a member in 正常 status.
_PER_CAPITA = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)


class MaskedIdField(serializers.CharField):
    """An ID number as the caller's role sees it (140826********123X for the read-only roles)."""

    def to_representation(self, value):
        return self.context["access"].mask_id(value or "")


class MaskedPhoneField(serializers.CharField):
    """A phone number as the caller's role sees it (139****5678 for the read-only roles)."""

    def to_representation(self, value):
        return self.context["access"].mask_phone(value or "")


class HouseholdListSerializer(ModelSerializer):
    """A row of the household list (贫困户名单), with the columns the page shows."""

    village_name = serializers.CharField(source="village.name", read_only=True, help_text="村名")
    head_id_number = MaskedIdField(read_only=True, help_text="户主身份证号（只读角色见到的是打码的）")
    phone = MaskedPhoneField(read_only=True, help_text="联系电话（只读角色见到的是打码的）")
    members = serializers.IntegerField(source="member_count", read_only=True, help_text="家庭人口（人员状态正常）")
    per_capita_income = serializers.SerializerMethodField(help_text="年人均纯收入（元）；无正常成员时为空")
    cadre = serializers.CharField(source="cadre.name", read_only=True, allow_null=True, default=None,
                                  help_text="帮扶责任人")

    class Meta:
        model = Household
        fields = ["code", "village", "village_name", "head_name", "head_id_number", "phone", "category",
                  "monitoring_class", "standard", "attribute", "status", "main_cause", "identified_year",
                  "exit_year", "income_year", "members", "per_capita_income", "cadre"]
        read_only_fields = fields

    @extend_schema_field(_PER_CAPITA)
    def get_per_capita_income(self, household):
        value = household.per_capita_income(household.member_count)
        return None if value is None else f"{value:.2f}"


class CadreSerializer(serializers.Serializer):
    """帮扶责任人 of a household."""

    name = serializers.CharField()
    work_unit = serializers.CharField(help_text="帮扶单位")
    phone = MaskedPhoneField(help_text="帮扶责任人电话（只读角色见到的是打码的）")


class MemberSerializer(ModelSerializer):
    """A member (家庭成员) as the household page lists them."""

    id_number = MaskedIdField(read_only=True, help_text="身份证号（只读角色见到的是打码的）")

    class Meta:
        model = Member
        fields = ["id", "household", "name", "id_number", "relation", "sex", "ethnicity", "education", "schooling",
                  "health", "labour", "migrant_work", "migrant_months", "medical_insurance",
                  "serious_illness_insurance", "pension_insurance", "dibao", "tekun", "active_soldier", "status"]
        read_only_fields = fields


class HouseholdDetailSerializer(ModelSerializer):
    """One household as its page shows it: every field, the income derived, the cadre and the members."""

    village_name = serializers.CharField(source="village.name", read_only=True)
    head_id_number = MaskedIdField(read_only=True, help_text="户主身份证号（只读角色见到的是打码的）")
    phone = MaskedPhoneField(read_only=True, help_text="联系电话（只读角色见到的是打码的）")
    cadre = CadreSerializer(read_only=True, allow_null=True, help_text="帮扶责任人（未结对时为空）")
    net_income = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True, help_text="家庭纯收入（元）")
    member_count = serializers.SerializerMethodField(help_text="家庭人口（人员状态正常）")
    per_capita_income = serializers.SerializerMethodField(help_text="年人均纯收入（元）；无正常成员时为空")
    members = serializers.SerializerMethodField()

    class Meta:
        model = Household
        fields = ["code", "village", "village_name", "head_name", "head_id_number", "phone", "category",
                  "monitoring_class", "monitoring_since", "risk_type", "other_risk_1", "other_risk_2",
                  "risk_eliminated", "risk_eliminated_on", "standard", "attribute", "status", "identified_year",
                  "exit_year", "main_cause", "other_cause_1", "other_cause_2", "income_year", "wage_income",
                  "business_income", "property_income", "transfer_income", "business_expense", "net_income",
                  "declared_per_capita_income", "member_count", "per_capita_income", "income_12m",
                  "income_12m_verified_on", "compliant_out_of_pocket_12m", "vehicle_count", "dearest_vehicle_value",
                  "town_houses_bought", "registered_businesses", "housing_area", "housing_grade", "safe_water",
                  "electricity", "relocated", "cadre", "updated_at", "members"]
        read_only_fields = fields

    def _normal(self, household) -> int:
        return sum(1 for m in household.members.all() if m.status == vocab.MemberStatus.NORMAL)

    def get_member_count(self, household) -> int:
        return self._normal(household)

    @extend_schema_field(_PER_CAPITA)
    def get_per_capita_income(self, household):
        value = household.per_capita_income(self._normal(household))
        return None if value is None else f"{value:.2f}"

    @extend_schema_field(MemberSerializer(many=True))
    def get_members(self, household):
        return MemberSerializer(household.members.all(), many=True, context=self.context).data


class _Reason(serializers.Serializer):
    reason = serializers.CharField(max_length=200, help_text="修改原因（写入变更记录），必填",
                                   error_messages={"required": _("请填写修改原因。"), "blank": _("请填写修改原因。")})


class HouseholdUpdateSerializer(_Reason, ModelSerializer):
    """The fields the household edit form edits (not 户编号, 村, 脱贫状态 or the monitoring state: procedures
    change those), any of them, with the reason of the change."""

    class Meta:
        model = Household
        fields = [*HOUSEHOLD_EDITABLE, "reason"]


class MemberUpdateSerializer(_Reason, ModelSerializer):
    """The fields the member edit form edits (not 人员状态: procedures change it), with the reason."""

    class Meta:
        model = Member
        fields = [*MEMBER_EDITABLE, "reason"]
        validators = []  # (户编号, 身份证号) is unique: the page's form says so in Chinese (MemberForm)


class HouseholdChangedSerializer(serializers.Serializer):
    changed = serializers.ListField(child=serializers.CharField(), help_text="改动了的字段名（未改动时为空）")
    household = HouseholdDetailSerializer()


class MemberChangedSerializer(serializers.Serializer):
    changed = serializers.ListField(child=serializers.CharField(), help_text="改动了的字段名（未改动时为空）")
    member = MemberSerializer()


class ChangeSerializer(serializers.Serializer):
    field = serializers.CharField(help_text="字段（中文名）")
    old = serializers.JSONField(allow_null=True, help_text="原值（身份证号、电话按角色打码）")
    new = serializers.JSONField(allow_null=True, help_text="新值（身份证号、电话按角色打码）")


class HistoryEntrySerializer(serializers.Serializer):
    """One change of a household or one of its members (the 变更记录 of the household page)."""

    at = serializers.DateTimeField()
    user = serializers.CharField(source="user.username", allow_null=True, default=None,
                                 help_text="操作人用户名（系统导入等为空）")
    type = serializers.ChoiceField(choices=[("+", "新建"), ("~", "修改"), ("-", "删除")])
    kind = serializers.CharField(help_text="贫困户或家庭成员")
    object = serializers.CharField(help_text="户主或成员姓名")
    changes = ChangeSerializer(many=True)
    reason = serializers.CharField(allow_null=True, help_text="修改原因")
