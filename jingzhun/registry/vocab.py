"""Vocabularies of the registry template (shared/TEMPLATE.md, version 1; docs/template-v2.md).

The stored value of every choice is the template's Chinese word itself: it is the exchange contract with
counties and what the data-quality rules compare against. The label goes through Django's translation
machinery so that English can be switched on.
"""

import tomllib
from functools import cache
from pathlib import Path

from django.db import models
from django.utils.translation import gettext_lazy as _


class HouseholdCategory(models.TextChoices):
    """户类别: since 2021 any rural household can be registered, not only the 建档立卡 ones."""

    EXITED = "脱贫户", _("脱贫户")
    MONITORED = "监测户", _("监测户")
    ORDINARY = "一般农户", _("一般农户")


class MonitoringClass(models.TextChoices):
    """监测对象类别 (of a 监测户 only)."""

    UNSTABLE = "脱贫不稳定户", _("脱贫不稳定户")
    MARGINAL = "边缘易致贫户", _("边缘易致贫户")
    SUDDEN = "突发严重困难户", _("突发严重困难户")


#: Classes of 监测户 that are 建档立卡 households by definition (脱贫不稳定户 is a 脱贫户 being monitored):
#: their 建档立卡 fields are required, as a 脱贫户's are.
REGISTERED_CLASSES = (MonitoringClass.UNSTABLE,)
#: Classes that are never 建档立卡 households: their 建档立卡 fields stay empty, as a 一般农户's do.
#: A 突发严重困难户 may be either, so its 建档立卡 fields are optional.
UNREGISTERED_CLASSES = (MonitoringClass.MARGINAL,)


@cache
def risk_types() -> tuple[dict, ...]:
    """风险类型, kept as data in data/risk_types.toml (name, and the 致贫原因 it matches, if any)."""
    with open(Path(__file__).with_name("data") / "risk_types.toml", "rb") as f:
        return tuple(tomllib.load(f)["risk"])


def risk_type_choices() -> list[tuple[str, str]]:
    """The choices of every 风险类型 field (a callable, so the list stays data and out of migrations)."""
    return [(r["name"], _(r["name"])) for r in risk_types()]


def risk_type_names() -> tuple[str, ...]:
    return tuple(r["name"] for r in risk_types())


class IdentificationStandard(models.TextChoices):
    """识别标准."""

    NATIONAL = "国家标准", _("国家标准")
    PROVINCIAL = "省定标准", _("省定标准")
    CITY = "市定标准", _("市定标准")


class HouseholdAttribute(models.TextChoices):
    """贫困户属性."""

    GENERAL = "一般贫困户", _("一般贫困户")
    DIBAO = "低保贫困户", _("低保贫困户")
    TEKUN = "特困供养贫困户", _("特困供养贫困户")


class PovertyStatus(models.TextChoices):
    """脱贫状态."""

    POOR = "未脱贫", _("未脱贫")
    EXITED = "已脱贫", _("已脱贫")
    RETURNED = "返贫", _("返贫")
    REMOVED = "清退", _("清退")


#: A list filter beside the four statuses: the households still poor (未脱贫 or 返贫), whose 正常 members are
#: the dashboard's 剩余贫困人口.
REMAINING_POOR = "剩余贫困"
REMAINING_POOR_STATUSES = (PovertyStatus.POOR, PovertyStatus.RETURNED)
#: 建档立卡户: every status but 清退 (removed as wrongly included). The one definition behind the figures
#: labelled 建档立卡户数 / 建档立卡人口 on every page: the indicators HH_REG and POP_REG (analytics' `active`,
#: "status <> '清退'") and the division pages' counts. Households with 清退 counted too are shown only as
#: 含清退的登记户数.
REGISTERED_STATUSES = (PovertyStatus.POOR, PovertyStatus.EXITED, PovertyStatus.RETURNED)


class PovertyCause(models.TextChoices):
    """致贫原因 (the twelve of the national 《贫困户登记表》)."""

    ILLNESS = "因病", _("因病")
    DISABILITY = "因残", _("因残")
    SCHOOLING = "因学", _("因学")
    DISASTER = "因灾", _("因灾")
    NO_LAND = "缺土地", _("缺土地")
    NO_WATER = "缺水", _("缺水")
    NO_SKILLS = "缺技术", _("缺技术")
    NO_LABOUR = "缺劳力", _("缺劳力")
    NO_CAPITAL = "缺资金", _("缺资金")
    POOR_TRANSPORT = "交通条件落后", _("交通条件落后")
    LOW_MOTIVATION = "自身发展动力不足", _("自身发展动力不足")
    OTHER = "其他", _("其他")


class HousingGrade(models.TextChoices):
    """危房等级: C and D are unsafe."""

    A = "A", _("A级")
    B = "B", _("B级")
    C = "C", _("C级（危房）")
    D = "D", _("D级（危房）")


UNSAFE_HOUSING_GRADES = frozenset({HousingGrade.C, HousingGrade.D})


class Relation(models.TextChoices):
    """与户主关系."""

    HEAD = "户主", _("户主")
    SPOUSE = "配偶", _("配偶")
    SON = "之子", _("之子")
    DAUGHTER = "之女", _("之女")
    DAUGHTER_IN_LAW = "之儿媳", _("之儿媳")
    SON_IN_LAW = "之女婿", _("之女婿")
    GRANDSON = "之孙子", _("之孙子")
    GRANDDAUGHTER = "之孙女", _("之孙女")
    DAUGHTERS_SON = "之外孙子", _("之外孙子")
    DAUGHTERS_DAUGHTER = "之外孙女", _("之外孙女")
    FATHER = "之父", _("之父")
    MOTHER = "之母", _("之母")
    WIFES_FATHER = "之岳父", _("之岳父")
    WIFES_MOTHER = "之岳母", _("之岳母")
    HUSBANDS_FATHER = "之公公", _("之公公")
    HUSBANDS_MOTHER = "之婆婆", _("之婆婆")
    GRANDFATHER = "之祖父", _("之祖父")
    GRANDMOTHER = "之祖母", _("之祖母")
    SIBLING = "之兄弟姐妹", _("之兄弟姐妹")
    OTHER = "其他", _("其他")


class Sex(models.TextChoices):
    """性别."""

    MALE = "男", _("男")
    FEMALE = "女", _("女")


class Education(models.TextChoices):
    """文化程度."""

    ILLITERATE = "文盲或半文盲", _("文盲或半文盲")
    PRIMARY = "小学", _("小学")
    JUNIOR = "初中", _("初中")
    SENIOR = "高中", _("高中")
    COLLEGE = "大专及以上", _("大专及以上")
    PRESCHOOL_CHILD = "学龄前儿童", _("学龄前儿童")


class Schooling(models.TextChoices):
    """在校生状况."""

    NOT_IN_SCHOOL = "非在校生", _("非在校生")
    PRESCHOOL = "学前教育", _("学前教育")
    PRIMARY = "小学", _("小学")
    GRADE_7 = "七年级", _("七年级")
    GRADE_8 = "八年级", _("八年级")
    GRADE_9 = "九年级", _("九年级")
    SENIOR = "高中", _("高中")
    SECONDARY_VOCATIONAL = "中职", _("中职")
    HIGHER_VOCATIONAL = "高职", _("高职")
    COLLEGE = "大专及以上", _("大专及以上")


class Health(models.TextChoices):
    """健康状况."""

    HEALTHY = "健康", _("健康")
    CHRONIC = "长期慢性病", _("长期慢性病")
    SERIOUS = "患有大病", _("患有大病")
    DISABLED = "残疾", _("残疾")


class LabourAbility(models.TextChoices):
    """劳动技能."""

    ORDINARY = "普通劳动力", _("普通劳动力")
    SKILLED = "技能劳动力", _("技能劳动力")
    LOST = "丧失劳动力", _("丧失劳动力")
    NONE = "无劳动力", _("无劳动力")


class MigrantWork(models.TextChoices):
    """务工状况 (blank: not working away)."""

    IN_TOWNSHIP = "乡镇内", _("乡镇内")
    IN_COUNTY = "乡镇外县内", _("乡镇外县内")
    IN_PROVINCE = "县外省内", _("县外省内")
    OUT_OF_PROVINCE = "省外", _("省外")


class MemberStatus(models.TextChoices):
    """人员状态 (blank in a file = 正常)."""

    NORMAL = "正常", _("正常")
    DECEASED = "死亡", _("死亡")
    MOVED_OUT = "迁出", _("迁出")


YES, NO = "是", "否"
