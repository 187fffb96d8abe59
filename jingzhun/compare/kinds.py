"""The external dataset kinds (外部比对数据) as data: their columns and what a match means.

Every kind has the person columns (姓名 required; 身份证号, 性别, 出生日期, 村代码, 住址 optional — other
departments' files often lack them or have them wrong) plus its own columns. The formats are
documented for people in docs/comparison-formats.md; this module is the one the code reads.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _


class ColumnKind(enum.StrEnum):
    TEXT = "text"
    ID_NUMBER = "id_number"
    SEX = "sex"
    DATE = "date"
    VILLAGE = "village"
    YEAR = "year"
    MONEY = "money"
    DECIMAL = "decimal"
    CHOICE = "choice"
    CREDIT_CODE = "credit_code"


@dataclass(frozen=True)
class DatasetColumn:
    header: str
    field: str  # the key in ExternalRecord (a model field for person columns, else a key of `extra`)
    kind: ColumnKind
    required: bool = False
    choices: tuple[str, ...] = ()
    max_length: int = 128


@dataclass(frozen=True)
class DatasetKind:
    code: str
    label: str  # the Chinese name, also the CSV file stem and the preferred sheet name (and the msgid)
    source: str  # the department that usually supplies it (stored as a batch's source: Chinese)
    columns: tuple[DatasetColumn, ...]
    signal_rule: str  # the Problem.rule code a match of this kind can raise
    signal_name: str

    @property
    def label_shown(self) -> str:
        """The kind's name in the active language (files and sheets are named by `label`)."""
        return gettext(self.label)

    @property
    def source_shown(self) -> str:
        return gettext(self.source)

    @property
    def headers(self) -> dict[str, DatasetColumn]:
        return {c.header: c for c in self.columns}


C = ColumnKind
PERSON_COLUMNS: tuple[DatasetColumn, ...] = (
    DatasetColumn("姓名", "name", C.TEXT, required=True, max_length=64),
    DatasetColumn("身份证号", "id_number", C.ID_NUMBER),
    DatasetColumn("性别", "sex", C.SEX),
    DatasetColumn("出生日期", "birth_date", C.DATE),
    DatasetColumn("村代码", "village", C.VILLAGE),
    DatasetColumn("住址", "address", C.TEXT, max_length=255),
)

PASSENGER_VEHICLE_TYPES = ("小型轿车", "微型轿车", "小型普通客车", "微型普通客车", "小型越野客车", "中型普通客车",
                           "大型普通客车", "小型专用客车")
VEHICLE_TYPES = PASSENGER_VEHICLE_TYPES + ("轻型普通货车", "微型普通货车", "中型普通货车", "重型普通货车", "三轮汽车",
                                           "低速货车", "普通二轮摩托车", "普通三轮摩托车", "轻便二轮摩托车", "拖拉机",
                                           "其他")
INSURANCE_STATES = ("参保", "未参保", "停保")


def _kind(code, label, source, extra, rule, name, *, village_required=False) -> DatasetKind:
    person = tuple(DatasetColumn(c.header, c.field, c.kind, required=True) if village_required and c.field == "village"
                   else c for c in PERSON_COLUMNS)
    return DatasetKind(code, label, source, person + tuple(extra), rule, name)


KINDS: dict[str, DatasetKind] = {k.code: k for k in (
    _kind("death", gettext_noop("死亡人口"), gettext_noop("公安、民政"), [
        DatasetColumn("死亡日期", "death_date", C.DATE, required=True),
    ], "BD01", _("死亡人员仍为正常状态")),
    _kind("staff", gettext_noop("财政供养人员"), gettext_noop("财政、人社"), [
        DatasetColumn("单位", "work_unit", C.TEXT, required=True),
        DatasetColumn("岗位", "post", C.TEXT),
    ], "BD02", _("财政供养人员")),
    _kind("cadre", gettext_noop("村干部"), gettext_noop("组织部门"), [
        DatasetColumn("职务", "post", C.TEXT, required=True, max_length=64),
    ], "BD03", _("村干部"), village_required=True),
    _kind("vehicle", gettext_noop("机动车登记"), gettext_noop("公安交管"), [
        DatasetColumn("号牌号码", "plate", C.TEXT, required=True, max_length=16),
        DatasetColumn("车辆类型", "vehicle_type", C.CHOICE, required=True, choices=VEHICLE_TYPES),
        DatasetColumn("购置价格", "price", C.MONEY),
        DatasetColumn("初次登记日期", "registered_on", C.DATE),
    ], "BD04", _("有价格超标准的乘用车")),
    _kind("company", gettext_noop("工商登记"), gettext_noop("市场监管"), [
        DatasetColumn("企业名称", "company", C.TEXT, required=True),
        DatasetColumn("统一社会信用代码", "credit_code", C.CREDIT_CODE),
        DatasetColumn("角色", "role", C.CHOICE, required=True, choices=("法定代表人", "股东", "董事", "监事", "经理", "其他")),
        DatasetColumn("注册资本", "capital", C.MONEY),
    ], "BD05", _("在工商登记中任职或持股")),
    _kind("property", gettext_noop("不动产登记"), gettext_noop("自然资源（不动产登记中心）"), [
        DatasetColumn("坐落", "location", C.TEXT, required=True, max_length=255),
        DatasetColumn("面积", "area", C.DECIMAL),
        DatasetColumn("房屋类型", "house_type", C.CHOICE, required=True, choices=("商品房", "自建房", "商铺", "其他")),
    ], "BD06", _("有商品房或商铺")),
    _kind("medical", gettext_noop("医保参保"), gettext_noop("医疗保障"), [
        DatasetColumn("年度", "year", C.YEAR, required=True),
        DatasetColumn("参保状态", "state", C.CHOICE, required=True, choices=INSURANCE_STATES),
    ], "BD07", _("未参加基本医疗保险")),
    _kind("pension", gettext_noop("养老保险参保"), gettext_noop("人社"), [
        DatasetColumn("年度", "year", C.YEAR, required=True),
        DatasetColumn("参保状态", "state", C.CHOICE, required=True, choices=INSURANCE_STATES),
    ], "BD08", _("未参加基本养老保险")),
    _kind("assistance", gettext_noop("低保特困"), gettext_noop("民政"), [
        DatasetColumn("类别", "category", C.CHOICE, required=True, choices=("低保", "特困")),
        DatasetColumn("开始日期", "start", C.DATE),
        DatasetColumn("结束日期", "end", C.DATE),
    ], "BD09", _("低保、特困与民政数据不一致")),
)}

#: Every rule code comparisons raise, with its name and category (for the problem pages).
CATEGORY_EXCLUSION, CATEGORY_DEATH, CATEGORY_GUARANTEE = _("部门比对"), _("人员变更"), _("三保障")
RULE_CATEGORY = {"BD01": CATEGORY_DEATH, "BD02": CATEGORY_EXCLUSION, "BD03": CATEGORY_EXCLUSION,
                 "BD04": CATEGORY_EXCLUSION, "BD05": CATEGORY_EXCLUSION, "BD06": CATEGORY_EXCLUSION,
                 "BD07": CATEGORY_GUARANTEE, "BD08": CATEGORY_GUARANTEE, "BD09": CATEGORY_EXCLUSION}
RULE_NAMES = {k.signal_rule: k.signal_name for k in KINDS.values()}


def kind_by_name(name: str) -> DatasetKind | None:
    """A kind by its code (death) or its Chinese label (死亡人口)."""
    name = (name or "").strip()
    return KINDS.get(name) or next((k for k in KINDS.values() if k.label == name), None)
