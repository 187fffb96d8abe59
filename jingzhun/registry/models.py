"""The registry (建档立卡): villages, households, members and assistance cadres.

Fields follow the exchange template (shared/TEMPLATE.md, version 1) one to one; yes/no cells that the
template leaves optional are nullable booleans (blank = unknown).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from . import vocab

YEAR_VALIDATORS = [MinValueValidator(1980), MaxValueValidator(2100)]
MONEY = {"max_digits": 12, "decimal_places": 2}
PHONE_VALIDATOR = RegexValidator(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$",
                                 _("请填写 11 位手机号或带区号的固定电话（如 0359-6521234）。"))
# The registry holds what it must correct: an ID of 18 characters is stored even when its checksum or
# date is wrong (the data-quality checks report those); forms apply the full GB 11643 check on entry.
ID_LENGTH_VALIDATOR = RegexValidator(r"^.{18}$", _("身份证号应为 18 位。"))


class VillageProfile(models.Model):
    """村情: the attributes of one village-level unit (村表)."""

    village = models.OneToOneField("orgunits.OrgUnit", verbose_name=_("村"), primary_key=True,
                                   on_delete=models.PROTECT, related_name="profile")
    registered_population = models.PositiveIntegerField(_("户籍人口"))
    registered_households = models.PositiveIntegerField(_("户籍户数"))
    is_poor_village = models.BooleanField(_("是否贫困村"))
    exit_year = models.PositiveSmallIntegerField(_("贫困村退出年度"), null=True, blank=True,
                                                 validators=YEAR_VALIDATORS)
    collective_income = models.DecimalField(_("村集体经济收入"), null=True, blank=True, **MONEY)
    paved_road = models.BooleanField(_("通硬化路"), null=True, blank=True)
    bus_service = models.BooleanField(_("通客车"), null=True, blank=True)
    broadband = models.BooleanField(_("通宽带"), null=True, blank=True)
    clinic_up_to_standard = models.BooleanField(_("卫生室达标"), null=True, blank=True)
    cultural_venue = models.BooleanField(_("文化活动场所"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("村情")
        verbose_name_plural = _("村情")

    def __str__(self) -> str:
        return str(self.village)


class AssistanceCadre(models.Model):
    """帮扶责任人: an official assigned to help households; may sign in as a user of role 帮扶责任人."""

    county = models.ForeignKey("orgunits.OrgUnit", verbose_name=_("所属县"), on_delete=models.PROTECT,
                               related_name="cadres")
    name = models.CharField(_("姓名"), max_length=64)
    work_unit = models.CharField(_("帮扶单位"), max_length=128, blank=True)
    phone = models.CharField(_("帮扶责任人电话"), max_length=20, blank=True)
    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name=_("登录账号"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="cadre")
    # A cadre record is shared by the households they serve: who changed it, and when, is kept.
    history = HistoricalRecords(excluded_fields=["user"])

    class Meta:
        verbose_name = _("帮扶责任人")
        verbose_name_plural = _("帮扶责任人")
        constraints = [models.UniqueConstraint(fields=["county", "name", "phone"], name="cadre_unique")]

    def __str__(self) -> str:
        return gettext("%(text)s（%(note)s）") % {"text": self.name, "note": self.work_unit} if self.work_unit else self.name


class Household(models.Model):
    """贫困户: one registered household (户表); its 户编号 is its identity."""

    code = models.CharField(_("户编号"), max_length=16, primary_key=True,
                            validators=[RegexValidator(r"^\d{16}$", _("户编号应为 16 位数字。"))])
    village = models.ForeignKey("orgunits.OrgUnit", verbose_name=_("村"), on_delete=models.PROTECT,
                                related_name="households", db_index=False)  # indexed in Meta
    head_name = models.CharField(_("户主姓名"), max_length=64)
    head_id_number = models.CharField(_("户主身份证号"), max_length=18, validators=[ID_LENGTH_VALIDATOR])
    standard = models.CharField(_("识别标准"), max_length=8, blank=True,
                                choices=vocab.IdentificationStandard.choices)
    attribute = models.CharField(_("贫困户属性"), max_length=8, choices=vocab.HouseholdAttribute.choices)
    status = models.CharField(_("脱贫状态"), max_length=4, choices=vocab.PovertyStatus.choices)
    identified_year = models.PositiveSmallIntegerField(_("识别年度"), validators=YEAR_VALIDATORS)
    exit_year = models.PositiveSmallIntegerField(_("脱贫年度"), null=True, blank=True,
                                                 validators=YEAR_VALIDATORS)
    main_cause = models.CharField(_("主要致贫原因"), max_length=8, choices=vocab.PovertyCause.choices)
    other_cause_1 = models.CharField(_("其他致贫原因一"), max_length=8, blank=True,
                                     choices=vocab.PovertyCause.choices)
    other_cause_2 = models.CharField(_("其他致贫原因二"), max_length=8, blank=True,
                                     choices=vocab.PovertyCause.choices)
    income_year = models.PositiveSmallIntegerField(_("收入年度"), validators=YEAR_VALIDATORS)
    wage_income = models.DecimalField(_("工资性收入"), **MONEY)
    business_income = models.DecimalField(_("生产经营性收入"), **MONEY)
    property_income = models.DecimalField(_("财产性收入"), **MONEY)
    transfer_income = models.DecimalField(_("转移性收入"), **MONEY)
    business_expense = models.DecimalField(_("生产经营性支出"), **MONEY)
    declared_per_capita_income = models.DecimalField(
        _("申报年人均纯收入"), null=True, blank=True, **MONEY,
        help_text=_("导入文件中填写的年人均纯收入，仅用于与公式核对；系统始终按收入各项计算。"))
    housing_area = models.DecimalField(_("住房面积"), null=True, blank=True, max_digits=8, decimal_places=2)
    housing_grade = models.CharField(_("危房等级"), max_length=1, blank=True, choices=vocab.HousingGrade.choices)
    safe_water = models.BooleanField(_("饮水安全"))
    electricity = models.BooleanField(_("通生活用电"), null=True, blank=True)
    relocated = models.BooleanField(_("易地扶贫搬迁"), null=True, blank=True)
    cadre = models.ForeignKey(AssistanceCadre, verbose_name=_("帮扶责任人"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="households")
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    # History is looked up by household code only: its other columns need no index (each one would
    # cost every import).
    history = HistoricalRecords(excluded_fields=["updated_at"], no_db_index=["village", "cadre"])

    class Meta:
        verbose_name = _("贫困户")
        verbose_name_plural = _("贫困户")
        ordering = ["code"]
        # Plain B-tree indexes (a field's db_index would add a second, LIKE-pattern one on PostgreSQL).
        indexes = [models.Index(fields=["head_name"]), models.Index(fields=["head_id_number"]),
                   models.Index(fields=["village"]), models.Index(fields=["status"]),
                   models.Index(fields=["main_cause"])]

    def __str__(self) -> str:
        return gettext("%(text)s（%(note)s）") % {"text": self.head_name, "note": self.code}

    @property
    def other_causes(self) -> list[str]:
        return [c for c in (self.other_cause_1, self.other_cause_2) if c]

    @property
    def net_income(self) -> Decimal:
        """家庭纯收入: 工资性 + 生产经营性 + 财产性 + 转移性 − 生产经营性支出."""
        return (self.wage_income + self.business_income + self.property_income + self.transfer_income
                - self.business_expense)

    def per_capita_income(self, member_count: int | None = None) -> Decimal | None:
        """年人均纯收入: net income ÷ the household's members in 正常 status (None if it has none)."""
        if member_count is None:
            member_count = self.members.filter(status=vocab.MemberStatus.NORMAL).count()
        if not member_count:
            return None
        return (self.net_income / member_count).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)

    @property
    def unsafe_housing(self) -> bool:
        return self.housing_grade in vocab.UNSAFE_HOUSING_GRADES


class Member(models.Model):
    """家庭成员: one person of a household (人员表), the head included."""

    # No index of its own: the unique (household, id_number) constraint's index leads with it.
    household = models.ForeignKey(Household, verbose_name=_("户编号"), on_delete=models.PROTECT,
                                  related_name="members", db_index=False)
    name = models.CharField(_("姓名"), max_length=64)
    id_number = models.CharField(_("身份证号"), max_length=18, validators=[ID_LENGTH_VALIDATOR])
    relation = models.CharField(_("与户主关系"), max_length=8, choices=vocab.Relation.choices)
    sex = models.CharField(_("性别"), max_length=1, choices=vocab.Sex.choices)
    ethnicity = models.CharField(_("民族"), max_length=16, blank=True)
    education = models.CharField(_("文化程度"), max_length=8, blank=True, choices=vocab.Education.choices)
    schooling = models.CharField(_("在校生状况"), max_length=8, blank=True, choices=vocab.Schooling.choices)
    health = models.CharField(_("健康状况"), max_length=8, choices=vocab.Health.choices)
    labour = models.CharField(_("劳动技能"), max_length=8, choices=vocab.LabourAbility.choices)
    migrant_work = models.CharField(_("务工状况"), max_length=8, blank=True, choices=vocab.MigrantWork.choices)
    # Months outside 0–12 are stored (a data-quality check reports them); the edit form refuses them.
    migrant_months = models.PositiveSmallIntegerField(_("务工时间（月）"), null=True, blank=True)
    medical_insurance = models.BooleanField(_("城乡居民基本医疗保险"))
    serious_illness_insurance = models.BooleanField(_("大病保险"), null=True, blank=True)
    pension_insurance = models.BooleanField(_("城乡居民基本养老保险"), null=True, blank=True)
    dibao = models.BooleanField(_("享受低保"), null=True, blank=True)
    tekun = models.BooleanField(_("特困供养"), null=True, blank=True)
    active_soldier = models.BooleanField(_("现役军人"), null=True, blank=True)
    status = models.CharField(_("人员状态"), max_length=4, choices=vocab.MemberStatus.choices,
                              default=vocab.MemberStatus.NORMAL)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"], no_db_index=["id_number"])

    class Meta:
        verbose_name = _("家庭成员")
        verbose_name_plural = _("家庭成员")
        ordering = ["household_id", "id"]
        constraints = [models.UniqueConstraint(fields=["household", "id_number"], name="member_unique_id")]
        indexes = [models.Index(fields=["id_number"])]

    def __str__(self) -> str:
        return self.name
