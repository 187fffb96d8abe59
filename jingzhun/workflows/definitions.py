"""The procedures and their steps, in order, with the role that acts at each: data, read by the services.

A step's `type` says what acting on it means:
    start         recorded when the procedure is opened (the application)
    decision      approve or reject, with a note and evidence
    verification  as decision, and records 两不愁 (yes/no) for the exit criteria
    consent       the household agrees (continue) or not (the procedure ends)
    comparison    一比对: the county records the comparison result (clear or the signals found)
    publicity     a 公示: the procedure joins a batch notice; the step completes when the period is over
                  and every objection is resolved
    announcement  a 公告: a batch notice that completes the step (and the procedure) at once
    approval      approve or reject; the last step of the short procedures
The last step of a procedure, once completed, applies the procedure to the registry.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from jingzhun.accounts.models import Role

PUBLIC_TYPES = frozenset({"publicity", "announcement"})


class Kind(models.TextChoices):
    ENTRY = "entry", _("精准识别")
    EXIT = "exit", _("户退出")
    RETURN = "return", _("返贫")
    REMOVAL = "removal", _("清退")
    MEMBER_CHANGE = "member_change", _("人员变更")
    #: 防止返贫致贫监测 (monitoring_procedures.py): a household becomes a 监测户, and leaves monitoring.
    MONITORING_ENTRY = "monitoring_entry", _("识别纳入")
    RISK_ELIMINATION = "risk_elimination", _("风险消除")


@dataclass(frozen=True)
class Step:
    code: str
    label: str
    role: str
    type: str


PROCEDURES: dict[str, tuple[Step, ...]] = {
    Kind.ENTRY: (
        Step("application", _("农户申请"), Role.VILLAGE_CLERK, "start"),
        Step("group_review", _("村民小组评议"), Role.VILLAGE_CLERK, "decision"),
        Step("village_review", _("村两委评议"), Role.VILLAGE_CLERK, "decision"),
        Step("village_publicity", _("村内公示"), Role.VILLAGE_CLERK, "publicity"),
        Step("township_review", _("乡镇审核"), Role.TOWNSHIP_OFFICER, "decision"),
        Step("township_publicity", _("乡镇公示"), Role.TOWNSHIP_OFFICER, "publicity"),
        Step("comparison", _("部门比对"), Role.COUNTY_ADMIN, "comparison"),
        Step("county_announcement", _("县审定公告"), Role.COUNTY_ADMIN, "announcement"),
    ),
    Kind.EXIT: (
        Step("evaluation", _("退出申请与评估"), Role.VILLAGE_CLERK, "start"),
        Step("village_review", _("村两委评议"), Role.VILLAGE_CLERK, "decision"),
        Step("team_verification", _("驻村工作队核实"), Role.VILLAGE_CLERK, "verification"),
        Step("household_consent", _("农户认可"), Role.VILLAGE_CLERK, "consent"),
        Step("village_publicity", _("村内公示"), Role.VILLAGE_CLERK, "publicity"),
        Step("announcement", _("乡镇审核公告"), Role.TOWNSHIP_OFFICER, "announcement"),
    ),
    Kind.RETURN: (
        Step("application", _("返贫申请"), Role.VILLAGE_CLERK, "start"),
        Step("township_approval", _("乡镇审批"), Role.TOWNSHIP_OFFICER, "approval"),
    ),
    Kind.REMOVAL: (
        Step("application", _("清退申请"), Role.VILLAGE_CLERK, "start"),
        Step("township_approval", _("乡镇审批"), Role.TOWNSHIP_OFFICER, "approval"),
    ),
    Kind.MEMBER_CHANGE: (
        Step("application", _("变更申请"), Role.VILLAGE_CLERK, "start"),
        Step("township_approval", _("乡镇审批"), Role.TOWNSHIP_OFFICER, "approval"),
    ),
    # 入户核实 records the proposed 监测对象类别, risk types and the 12-month income with the signed
    # 《监测对象申请及承诺授权查询书》; 县级审定 applies the 纳入 (or, after a 绿色通道, confirms it).
    Kind.MONITORING_ENTRY: (
        Step("home_verification", _("入户核实"), Role.VILLAGE_CLERK, "start"),
        Step("comparison", _("信息比对"), Role.COUNTY_ADMIN, "comparison"),
        Step("village_review", _("村民主评议"), Role.VILLAGE_CLERK, "decision"),
        Step("village_publicity", _("村级公示"), Role.VILLAGE_CLERK, "publicity"),
        Step("township_review", _("乡镇审核"), Role.TOWNSHIP_OFFICER, "decision"),
        Step("county_decision", _("县级审定"), Role.COUNTY_ADMIN, "approval"),
    ),
    # The evaluation against the pack is recorded at the start and again at every step (it must still hold).
    Kind.RISK_ELIMINATION: (
        Step("evaluation", _("风险消除评估"), Role.VILLAGE_CLERK, "start"),
        Step("village_review", _("村民主评议"), Role.VILLAGE_CLERK, "decision"),
        Step("village_publicity", _("村级公示"), Role.VILLAGE_CLERK, "publicity"),
        Step("township_review", _("乡镇审核"), Role.TOWNSHIP_OFFICER, "decision"),
        Step("county_decision", _("县级审定"), Role.COUNTY_ADMIN, "approval"),
    ),
}

#: The procedures of 防止返贫致贫监测 (time-limited, on registered households of any 户类别).
MONITORING_KINDS = frozenset({Kind.MONITORING_ENTRY, Kind.RISK_ELIMINATION})

#: 风险类型 that reveal a person's health: never printed on a 公示 notice (nor is 健康状况).
UNPUBLISHED_RISKS = frozenset({"因病", "因残"})


def steps_of(kind: str) -> tuple[Step, ...]:
    return PROCEDURES[kind]


def step_of(kind: str, code: str) -> Step:
    for step in PROCEDURES[kind]:
        if step.code == code:
            return step
    raise KeyError(f"{kind} has no step {code}")


def next_step(kind: str, code: str) -> Step | None:
    steps = PROCEDURES[kind]
    for index, step in enumerate(steps):
        if step.code == code:
            return steps[index + 1] if index + 1 < len(steps) else None
    raise KeyError(f"{kind} has no step {code}")


class RemovalReason(models.TextChoices):
    """清退 reason categories (识别不准)."""

    NOT_ELIGIBLE = "不符合识别标准", _("不符合识别标准（收入超标）")
    STATE_PAID = "财政供养人员", _("家庭成员为财政供养人员")
    VILLAGE_CADRE = "村干部", _("家庭成员为村干部")
    VEHICLE = "拥有车辆", _("拥有小轿车等车辆")
    HOUSE = "城镇购房", _("在城镇购买商品房或商铺")
    COMPANY = "工商注册", _("家庭成员注册公司或为股东")
    ABSENT = "长期外出", _("长期外出、空挂户")
    DUPLICATE = "重复识别", _("重复识别")
    OTHER = "其他", _("其他")


class ChangeType(models.TextChoices):
    """人员变更 types: the first three add a person, the others take one out."""

    BIRTH = "birth", _("出生")
    MARRIAGE_IN = "marriage_in", _("婚入")
    JOIN = "join", _("成员加入")
    DEATH = "death", _("死亡")
    MARRIAGE_OUT = "marriage_out", _("婚出")
    MOVE_OUT = "move_out", _("迁出")
    LEAVE = "leave", _("成员离开")


ADDING_CHANGES = frozenset({ChangeType.BIRTH, ChangeType.MARRIAGE_IN, ChangeType.JOIN})
