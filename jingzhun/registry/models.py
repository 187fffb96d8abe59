"""The registry (建档立卡): villages, households, members and assistance cadres.

Fields follow the exchange template (shared/TEMPLATE.md, version 1) one to one; yes/no cells that the
template leaves optional are nullable booleans (blank = unknown).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
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
    """农户: one registered rural household (户表); its 户编号 is its identity.

    户类别 says what it is: a 脱贫户 (every 建档立卡 household), a 监测户 (防止返贫致贫监测对象, of one
    监测对象类别) or a 一般农户. The 建档立卡 fields (识别标准, 贫困户属性, 脱贫状态, 识别年度, 脱贫年度,
    致贫原因) are required for 建档立卡 households and stay empty for the others (`clean` states the rule).
    """

    code = models.CharField(_("户编号"), max_length=16, primary_key=True,
                            validators=[RegexValidator(r"^\d{16}$", _("户编号应为 16 位数字。"))])
    village = models.ForeignKey("orgunits.OrgUnit", verbose_name=_("村"), on_delete=models.PROTECT,
                                related_name="households", db_index=False)  # indexed in Meta
    head_name = models.CharField(_("户主姓名"), max_length=64)
    head_id_number = models.CharField(_("户主身份证号"), max_length=18, validators=[ID_LENGTH_VALIDATOR])
    category = models.CharField(_("户类别"), max_length=8, choices=vocab.HouseholdCategory.choices,
                                default=vocab.HouseholdCategory.EXITED)
    monitoring_class = models.CharField(_("监测对象类别"), max_length=8, blank=True,
                                        choices=vocab.MonitoringClass.choices)
    monitoring_since = models.DateField(_("纳入监测时间"), null=True, blank=True)
    risk_type = models.CharField(_("主要风险类型"), max_length=16, blank=True, choices=vocab.risk_type_choices)
    other_risk_1 = models.CharField(_("其他风险类型一"), max_length=16, blank=True,
                                    choices=vocab.risk_type_choices)
    other_risk_2 = models.CharField(_("其他风险类型二"), max_length=16, blank=True,
                                    choices=vocab.risk_type_choices)
    risk_eliminated = models.BooleanField(_("风险是否消除"), default=False)
    risk_eliminated_on = models.DateField(_("风险消除日期"), null=True, blank=True)
    standard = models.CharField(_("识别标准"), max_length=8, blank=True,
                                choices=vocab.IdentificationStandard.choices)
    attribute = models.CharField(_("贫困户属性"), max_length=8, blank=True,
                                 choices=vocab.HouseholdAttribute.choices)
    status = models.CharField(_("脱贫状态"), max_length=4, blank=True, choices=vocab.PovertyStatus.choices)
    identified_year = models.PositiveSmallIntegerField(_("识别年度"), null=True, blank=True,
                                                       validators=YEAR_VALIDATORS)
    exit_year = models.PositiveSmallIntegerField(_("脱贫年度"), null=True, blank=True,
                                                 validators=YEAR_VALIDATORS)
    main_cause = models.CharField(_("主要致贫原因"), max_length=8, blank=True, choices=vocab.PovertyCause.choices)
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
    income_12m = models.DecimalField(_("近 12 个月家庭纯收入"), null=True, blank=True, **MONEY,
                                     help_text=_("监测用：核实日期前 12 个月的家庭纯收入（元）。"))
    income_12m_verified_on = models.DateField(_("收入核实日期"), null=True, blank=True)
    compliant_out_of_pocket_12m = models.DecimalField(
        _("近 12 个月合规自付支出"), null=True, blank=True, **MONEY,
        help_text=_("医疗、教育等合规刚性支出中家庭自付的部分（元），与近 12 个月收入同期。"))
    # 家庭资产 that the monitoring standards weigh (a household owning them is, as a rule, not included):
    # counts, and for vehicles the value of the dearest one, since provinces set the limit per vehicle.
    vehicle_count = models.PositiveSmallIntegerField(_("家用车辆数"), null=True, blank=True)
    dearest_vehicle_value = models.DecimalField(_("最贵车辆价值"), null=True, blank=True, **MONEY)
    town_houses_bought = models.PositiveSmallIntegerField(_("城镇购房套数"), null=True, blank=True)
    registered_businesses = models.PositiveSmallIntegerField(_("登记的市场主体数"), null=True, blank=True,
                                                             help_text=_("家庭成员作为法定代表人或股东的企业、个体工商户。"))
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
                   models.Index(fields=["main_cause"]), models.Index(fields=["category", "monitoring_class"])]

    def __str__(self) -> str:
        return gettext("%(text)s（%(note)s）") % {"text": self.head_name, "note": self.code}

    #: The 建档立卡 fields: required of a 建档立卡 household, empty for the others.
    REGISTERED_REQUIRED = ("attribute", "status", "identified_year", "main_cause")
    REGISTERED_ONLY = ("standard", "attribute", "status", "identified_year", "exit_year", "main_cause",
                       "other_cause_1", "other_cause_2")
    #: Fields of a 监测户 only.
    MONITORING_ONLY = ("monitoring_class", "monitoring_since", "risk_type", "other_risk_1", "other_risk_2",
                       "risk_eliminated_on")

    @property
    def is_registered_poor(self) -> bool:
        """建档立卡: a 脱贫户, or a 监测户 of class 脱贫不稳定户."""
        return (self.category == vocab.HouseholdCategory.EXITED
                or (self.category == vocab.HouseholdCategory.MONITORED
                    and self.monitoring_class in vocab.REGISTERED_CLASSES))

    @property
    def is_never_registered(self) -> bool:
        """Never 建档立卡: a 一般农户, or a 监测户 of class 边缘易致贫户."""
        return (self.category == vocab.HouseholdCategory.ORDINARY
                or (self.category == vocab.HouseholdCategory.MONITORED
                    and self.monitoring_class in vocab.UNREGISTERED_CLASSES))

    @property
    def other_risks(self) -> list[str]:
        return [r for r in (self.other_risk_1, self.other_risk_2) if r]

    def clean(self) -> None:
        """The rules between 户类别 and the other fields, each error on the field it concerns."""
        errors: dict[str, str] = {}
        monitored = self.category == vocab.HouseholdCategory.MONITORED
        if monitored and not self.monitoring_class:
            errors["monitoring_class"] = gettext("户类别为监测户时必须选择监测对象类别。")
        if not monitored:
            for name in self.MONITORING_ONLY:
                if getattr(self, name) not in (None, ""):
                    errors[name] = gettext("只有监测户填写此项（户类别为%(category)s）。") % {
                        "category": self.get_category_display()}
            if self.risk_eliminated:
                errors["risk_eliminated"] = gettext("只有监测户才有风险消除（户类别为%(category)s）。") % {
                    "category": self.get_category_display()}
        if self.risk_eliminated and not self.risk_eliminated_on:
            errors["risk_eliminated_on"] = gettext("风险已消除时必须填写风险消除日期。")
        if not self.risk_eliminated and self.risk_eliminated_on:
            errors["risk_eliminated_on"] = gettext("风险未消除时不应填写风险消除日期。")
        if (self.risk_eliminated_on and self.monitoring_since and self.risk_eliminated_on < self.monitoring_since):
            errors["risk_eliminated_on"] = gettext("风险消除日期不能早于纳入监测时间。")
        if self.other_risks and not self.risk_type:
            errors["risk_type"] = gettext("填写其他风险类型时必须先选择主要风险类型。")
        if self.risk_type and self.risk_type in self.other_risks:
            errors["other_risk_1"] = gettext("其他风险类型不能与主要风险类型相同。")
        elif len(self.other_risks) == 2 and self.other_risk_1 == self.other_risk_2:
            errors["other_risk_2"] = gettext("两个其他风险类型不能相同。")
        if self.is_registered_poor:
            for name in self.REGISTERED_REQUIRED:
                if getattr(self, name) in (None, ""):
                    errors.setdefault(name, gettext("建档立卡户（脱贫户、脱贫不稳定户）必须填写此项。"))
        elif self.is_never_registered:
            for name in self.REGISTERED_ONLY:
                if getattr(self, name) not in (None, ""):
                    errors.setdefault(name, gettext("%(what)s不是建档立卡户，不应填写建档立卡信息。") % {
                        "what": self.get_monitoring_class_display() if monitored else self.get_category_display()})
        if (self.vehicle_count == 0 and self.dearest_vehicle_value) or (
                self.dearest_vehicle_value and self.vehicle_count is None):
            errors["dearest_vehicle_value"] = gettext("家用车辆数为 0 或未填时不应填写最贵车辆价值。")
        for name in ("income_12m", "compliant_out_of_pocket_12m", "dearest_vehicle_value"):
            value = getattr(self, name)
            if name != "income_12m" and value is not None and value < 0:
                errors[name] = gettext("金额不能为负数。")
        if errors:
            raise ValidationError(errors)

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
