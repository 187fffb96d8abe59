"""The registry exchange template, versions 1 (shared/TEMPLATE.md) and 2 (docs/template-v2.md), as data.

One `Column` per header: which model field it fills, what kind of cell it holds, whether it is
required, and its vocabulary. Readers, writers and validators all work from these tables, so the
contract is written down once.

Version 2 adds columns to 户表 only (户类别 and the monitoring fields). A file's version is told by its
户表's headers (`household_version`): a 户表 with the header 户类别 is version 2, one without it is
version 1 — and a version 1 户表 that has any other column of version 2 is refused (the 户类别 column
was forgotten). 村表 and 人员表 are the same in both. We write version 2 (the export, the empty template).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from jingzhun.registry import vocab

TEMPLATE_VERSION = 2
YES, NO = vocab.YES, vocab.NO


class Kind(Enum):
    TEXT = "text"
    CODE = "code"  # digits kept as text (leading zeros matter)
    ID_NUMBER = "id_number"
    INT = "int"
    YEAR = "year"
    MONEY = "money"
    DECIMAL = "decimal"
    BOOL = "bool"  # 是/否
    CHOICE = "choice"
    CHOICES = "choices"  # up to two of a vocabulary, separated by 、
    PHONE = "phone"
    DATE = "date"  # YYYY-MM-DD (an Excel date cell reads as that)


@dataclass(frozen=True)
class Column:
    header: str
    field: str
    kind: Kind
    required: bool = False
    choices: tuple[str, ...] = field(default=())


def _c(header, field_name, kind, required=False, vocabulary=None) -> Column:
    values = vocabulary() if callable(vocabulary) and not hasattr(vocabulary, "values") else (
        tuple(vocabulary.values) if vocabulary else ())
    return Column(header, field_name, kind, required, tuple(values))


#: A CHOICES column fills two model fields.
MULTI_FIELDS = {"other_causes": ("other_cause_1", "other_cause_2"), "other_risks": ("other_risk_1", "other_risk_2")}


VILLAGE_SHEET = "村表"
HOUSEHOLD_SHEET = "户表"
MEMBER_SHEET = "人员表"

VILLAGE_COLUMNS: tuple[Column, ...] = (
    _c("村代码", "village_id", Kind.CODE, True),
    _c("户籍人口", "registered_population", Kind.INT, True),
    _c("户籍户数", "registered_households", Kind.INT, True),
    _c("是否贫困村", "is_poor_village", Kind.BOOL, True),
    _c("贫困村退出年度", "exit_year", Kind.YEAR),
    _c("村集体经济收入", "collective_income", Kind.MONEY),
    _c("通硬化路", "paved_road", Kind.BOOL),
    _c("通客车", "bus_service", Kind.BOOL),
    _c("通宽带", "broadband", Kind.BOOL),
    _c("卫生室达标", "clinic_up_to_standard", Kind.BOOL),
    _c("文化活动场所", "cultural_venue", Kind.BOOL),
)

HOUSEHOLD_COLUMNS: tuple[Column, ...] = (
    _c("户编号", "code", Kind.CODE, True),
    _c("村代码", "village_id", Kind.CODE, True),
    _c("户主姓名", "head_name", Kind.TEXT, True),
    _c("户主身份证号", "head_id_number", Kind.ID_NUMBER, True),
    _c("识别标准", "standard", Kind.CHOICE, False, vocab.IdentificationStandard),
    _c("贫困户属性", "attribute", Kind.CHOICE, True, vocab.HouseholdAttribute),
    _c("脱贫状态", "status", Kind.CHOICE, True, vocab.PovertyStatus),
    _c("识别年度", "identified_year", Kind.YEAR, True),
    _c("脱贫年度", "exit_year", Kind.YEAR),
    _c("主要致贫原因", "main_cause", Kind.CHOICE, True, vocab.PovertyCause),
    _c("其他致贫原因", "other_causes", Kind.CHOICES, False, vocab.PovertyCause),
    _c("收入年度", "income_year", Kind.YEAR, True),
    _c("工资性收入", "wage_income", Kind.MONEY, True),
    _c("生产经营性收入", "business_income", Kind.MONEY, True),
    _c("财产性收入", "property_income", Kind.MONEY, True),
    _c("转移性收入", "transfer_income", Kind.MONEY, True),
    _c("生产经营性支出", "business_expense", Kind.MONEY, True),
    _c("年人均纯收入", "declared_per_capita_income", Kind.MONEY),
    _c("住房面积", "housing_area", Kind.DECIMAL),
    _c("危房等级", "housing_grade", Kind.CHOICE, False, vocab.HousingGrade),
    _c("饮水安全", "safe_water", Kind.BOOL, True),
    _c("通生活用电", "electricity", Kind.BOOL),
    _c("易地扶贫搬迁", "relocated", Kind.BOOL),
    _c("帮扶责任人", "cadre_name", Kind.TEXT),
    _c("帮扶单位", "cadre_work_unit", Kind.TEXT),
    _c("帮扶责任人电话", "cadre_phone", Kind.PHONE),
    _c("联系电话", "phone", Kind.PHONE),
)

HOUSEHOLD_COLUMNS_V1 = HOUSEHOLD_COLUMNS

#: 建档立卡 columns: required in version 1 (every household was 建档立卡); in version 2 required when the
#: household is 建档立卡 (户类别 脱贫户, or 监测户 of 监测对象类别 脱贫不稳定户) and blank for 一般农户 and
#: 边缘易致贫户 (validate.check says so cell by cell).
REGISTERED_HEADERS = ("贫困户属性", "脱贫状态", "识别年度", "主要致贫原因")
REGISTERED_ONLY_HEADERS = ("识别标准", *REGISTERED_HEADERS, "脱贫年度", "其他致贫原因")
#: Columns a household that is not a 监测户 leaves blank.
MONITORING_HEADERS = ("监测对象类别", "纳入监测时间", "主要风险类型", "其他风险类型", "风险消除日期")

#: What version 2 adds to 户表, after the version 1 columns.
HOUSEHOLD_COLUMNS_ADDED: tuple[Column, ...] = (
    _c("户类别", "category", Kind.CHOICE, True, vocab.HouseholdCategory),
    _c("监测对象类别", "monitoring_class", Kind.CHOICE, False, vocab.MonitoringClass),
    _c("纳入监测时间", "monitoring_since", Kind.DATE),
    _c("主要风险类型", "risk_type", Kind.CHOICE, False, vocab.risk_type_names),
    _c("其他风险类型", "other_risks", Kind.CHOICES, False, vocab.risk_type_names),
    _c("风险是否消除", "risk_eliminated", Kind.BOOL),
    _c("风险消除日期", "risk_eliminated_on", Kind.DATE),
    _c("近12个月家庭纯收入", "income_12m", Kind.MONEY),
    _c("收入核实日期", "income_12m_verified_on", Kind.DATE),
    _c("近12个月合规自付支出", "compliant_out_of_pocket_12m", Kind.MONEY),
    _c("家用车辆数", "vehicle_count", Kind.INT),
    _c("最贵车辆价值", "dearest_vehicle_value", Kind.MONEY),
    _c("城镇购房套数", "town_houses_bought", Kind.INT),
    _c("登记市场主体数", "registered_businesses", Kind.INT),
)

HOUSEHOLD_COLUMNS_V2: tuple[Column, ...] = (
    *(Column(c.header, c.field, c.kind, False, c.choices) if c.header in REGISTERED_HEADERS else c
      for c in HOUSEHOLD_COLUMNS_V1[:4]),
    HOUSEHOLD_COLUMNS_ADDED[0], HOUSEHOLD_COLUMNS_ADDED[1],
    *(Column(c.header, c.field, c.kind, False, c.choices) if c.header in REGISTERED_HEADERS else c
      for c in HOUSEHOLD_COLUMNS_V1[4:]),
    *HOUSEHOLD_COLUMNS_ADDED[2:],
)
V2_ONLY_HEADERS = frozenset(c.header for c in HOUSEHOLD_COLUMNS_ADDED)

MEMBER_COLUMNS: tuple[Column, ...] = (
    _c("户编号", "household_id", Kind.CODE, True),
    _c("姓名", "name", Kind.TEXT, True),
    _c("身份证号", "id_number", Kind.ID_NUMBER, True),
    _c("与户主关系", "relation", Kind.CHOICE, True, vocab.Relation),
    _c("性别", "sex", Kind.CHOICE, True, vocab.Sex),
    _c("民族", "ethnicity", Kind.TEXT),
    _c("文化程度", "education", Kind.CHOICE, False, vocab.Education),
    _c("在校生状况", "schooling", Kind.CHOICE, False, vocab.Schooling),
    _c("健康状况", "health", Kind.CHOICE, True, vocab.Health),
    _c("劳动技能", "labour", Kind.CHOICE, True, vocab.LabourAbility),
    _c("务工状况", "migrant_work", Kind.CHOICE, False, vocab.MigrantWork),
    _c("务工时间", "migrant_months", Kind.INT),
    _c("城乡居民基本医疗保险", "medical_insurance", Kind.BOOL, True),
    _c("大病保险", "serious_illness_insurance", Kind.BOOL),
    _c("城乡居民基本养老保险", "pension_insurance", Kind.BOOL),
    _c("享受低保", "dibao", Kind.BOOL),
    _c("特困供养", "tekun", Kind.BOOL),
    _c("现役军人", "active_soldier", Kind.BOOL),
    _c("人员状态", "status", Kind.CHOICE, False, vocab.MemberStatus),
)

#: The sheets of the version we write (2); `sheets_of(version)` for reading either.
SHEETS: dict[str, tuple[Column, ...]] = {
    VILLAGE_SHEET: VILLAGE_COLUMNS,
    HOUSEHOLD_SHEET: HOUSEHOLD_COLUMNS_V2,
    MEMBER_SHEET: MEMBER_COLUMNS,
}
SHEETS_V1: dict[str, tuple[Column, ...]] = {**SHEETS, HOUSEHOLD_SHEET: HOUSEHOLD_COLUMNS_V1}


def household_version(household_headers) -> int:
    """The template version of a 户表 from its headers: 2 when it has 户类别, else 1."""
    return 2 if "户类别" in set(household_headers) else 1


def sheets_of(version: int) -> dict[str, tuple[Column, ...]]:
    return SHEETS if version == 2 else SHEETS_V1


def headers(sheet: str, version: int = TEMPLATE_VERSION) -> list[str]:
    return [c.header for c in sheets_of(version)[sheet]]
