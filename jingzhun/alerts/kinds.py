"""The department alert files (部门预警数据) as data: one kind per department, its columns and conditions.

Each kind is a `compare.kinds.DatasetKind` (the person columns of the comparison — 姓名 required;
身份证号, 性别, 出生日期, 村代码, 住址 optional — plus its own), so the comparison's reader, format checks and
empty workbooks serve it unchanged. What the comparison's checks cannot say (a column required only
when another holds a value, an amount that cannot exceed another) is `REQUIRED_WHEN` and `NOT_ABOVE`,
checked by `validate.check_alert_file`. People read the formats in docs/alert-formats.md.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_noop

from jingzhun.compare.kinds import (
    PERSON_COLUMNS,
    ColumnKind,
    DatasetColumn,
    DatasetKind,
)

C = ColumnKind


def _kind(code: str, label: str, source: str, extra: list[DatasetColumn]) -> DatasetKind:
    return DatasetKind(code, label, source, PERSON_COLUMNS + tuple(extra), "", "")


VISIT_TYPES = ("住院", "普通门诊", "门诊特病")
ASSISTANCE_TYPES = ("低保", "特困", "临时救助")
EDUCATION_CASES = ("疑似辍学", "高中阶段费用")
SCHOOL_STAGES = ("小学", "初中", "普通高中", "中职", "高职", "本科", "其他")
DISASTERS = ("洪涝", "干旱", "风雹", "台风", "地震", "地质灾害", "低温冷冻", "雪灾", "森林草原火灾", "火灾", "其他")
HOUSE_DAMAGE = ("无", "一般损坏", "严重损坏", "倒塌")
POLICE_EVENTS = ("意外伤害", "致残", "死亡")
DISABILITY_TYPES = ("视力", "听力", "言语", "肢体", "智力", "精神", "多重")
DISABILITY_GRADES = ("一级", "二级", "三级", "四级")
HOUSING_GRADES = ("A级", "B级", "C级", "D级")
UNEMPLOYMENT = ("失业登记", "领取失业保险金", "返乡未就业")

ALERT_KINDS: dict[str, DatasetKind] = {k.code: k for k in (
    _kind("medical", gettext_noop("医保费用"), gettext_noop("医疗保障"), [
        DatasetColumn("就诊类别", "visit_type", C.CHOICE, required=True, choices=VISIT_TYPES),
        DatasetColumn("就诊日期", "visit_date", C.DATE, required=True),
        DatasetColumn("出院日期", "discharge_date", C.DATE),
        DatasetColumn("医疗总费用", "total_cost", C.MONEY, required=True),
        DatasetColumn("基本医保支付", "basic_paid", C.MONEY),
        DatasetColumn("大病保险支付", "serious_paid", C.MONEY),
        DatasetColumn("医疗救助支付", "assistance_paid", C.MONEY),
        DatasetColumn("个人自付", "out_of_pocket", C.MONEY, required=True),
    ]),
    _kind("civil", gettext_noop("民政救助"), gettext_noop("民政"), [
        DatasetColumn("救助类别", "assistance", C.CHOICE, required=True, choices=ASSISTANCE_TYPES),
        DatasetColumn("开始日期", "start_date", C.DATE, required=True),
        DatasetColumn("救助金额", "amount", C.MONEY),
    ]),
    _kind("education", gettext_noop("教育预警"), gettext_noop("教育"), [
        DatasetColumn("预警情形", "situation", C.CHOICE, required=True, choices=EDUCATION_CASES),
        DatasetColumn("学段", "stage", C.CHOICE, required=True, choices=SCHOOL_STAGES),
        DatasetColumn("学校", "school", C.TEXT),
        DatasetColumn("日期", "date", C.DATE, required=True),
        DatasetColumn("年度费用", "cost", C.MONEY),
    ]),
    _kind("emergency", gettext_noop("灾害损失"), gettext_noop("应急管理"), [
        DatasetColumn("灾害类型", "disaster", C.CHOICE, required=True, choices=DISASTERS),
        DatasetColumn("发生日期", "date", C.DATE, required=True),
        DatasetColumn("直接经济损失", "loss", C.MONEY, required=True),
        DatasetColumn("房屋损毁", "house_damage", C.CHOICE, choices=HOUSE_DAMAGE),
    ]),
    _kind("police", gettext_noop("意外伤亡"), gettext_noop("公安"), [
        DatasetColumn("事件类型", "event", C.CHOICE, required=True, choices=POLICE_EVENTS),
        DatasetColumn("发生日期", "date", C.DATE, required=True),
        DatasetColumn("简要情况", "summary", C.TEXT, max_length=255),
    ]),
    _kind("disability", gettext_noop("新增残疾"), gettext_noop("残联"), [
        DatasetColumn("残疾类别", "disability", C.CHOICE, required=True, choices=DISABILITY_TYPES),
        DatasetColumn("残疾等级", "grade", C.CHOICE, required=True, choices=DISABILITY_GRADES),
        DatasetColumn("发证日期", "issued", C.DATE, required=True),
    ]),
    _kind("housing", gettext_noop("住房安全鉴定"), gettext_noop("住房城乡建设"), [
        DatasetColumn("鉴定等级", "grade", C.CHOICE, required=True, choices=HOUSING_GRADES),
        DatasetColumn("鉴定日期", "date", C.DATE, required=True),
    ]),
    _kind("employment", gettext_noop("失业登记"), gettext_noop("人力资源社会保障"), [
        DatasetColumn("登记类别", "registration", C.CHOICE, required=True, choices=UNEMPLOYMENT),
        DatasetColumn("登记日期", "date", C.DATE, required=True),
    ]),
)}


@dataclass(frozen=True)
class RequiredWhen:
    """`header` must be filled when `when` holds one of `values`."""

    header: str
    when: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class NotAbove:
    """`header`, when filled, may not exceed `limit` (both amounts)."""

    header: str
    limit: str


REQUIRED_WHEN: dict[str, tuple[RequiredWhen, ...]] = {
    "medical": (RequiredWhen("出院日期", "就诊类别", ("住院",)),),
    "education": (RequiredWhen("年度费用", "预警情形", ("高中阶段费用",)),),
}
NOT_ABOVE: dict[str, tuple[NotAbove, ...]] = {
    "medical": (NotAbove("个人自付", "医疗总费用"), NotAbove("基本医保支付", "医疗总费用"),
                NotAbove("大病保险支付", "医疗总费用"), NotAbove("医疗救助支付", "医疗总费用")),
}


def alert_kind_by_name(name: str) -> DatasetKind | None:
    """A kind by its code (medical) or its Chinese label (医保费用)."""
    name = (name or "").strip()
    return ALERT_KINDS.get(name) or next((k for k in ALERT_KINDS.values() if k.label == name), None)
