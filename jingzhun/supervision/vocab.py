"""The ledger's words: where an item came from, what kind it is, its states and the events of its life."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Source(models.TextChoices):
    """问题来源: who raised the item."""

    INSPECTION = "inspection", _("督导组反馈")
    PATROL = "patrol", _("巡视巡察")
    ASSESSMENT = "assessment", _("考核评估")
    AUDIT = "audit", _("审计")
    DATA_CHECK = "data_check", _("数据核查")
    COMPARISON = "comparison", _("部门比对")
    MONITORING = "monitoring", _("监测预警")
    MEETING = "meeting", _("会议交办")
    PETITION = "petition", _("信访")
    OTHER = "other", _("其他")


class ItemKind(models.TextChoices):
    """台账类别: a problem to rectify, a meeting-assigned key task, or a key project."""

    PROBLEM = "problem", _("整改问题")
    TASK = "task", _("重点工作")
    PROJECT = "project", _("重点项目")


class ItemState(models.TextChoices):
    """交办 → 签收 → 办理 → 办结报告 → 复核 → 销号."""

    DRAFT = "draft", _("待交办")
    ASSIGNED = "assigned", _("待签收")
    DOING = "doing", _("办理中")
    REPORTED = "reported", _("待复核")
    CLOSED = "closed", _("已销号")


#: States in which an item is still open (not 销号).
OPEN_STATES = (ItemState.DRAFT, ItemState.ASSIGNED, ItemState.DOING, ItemState.REPORTED)


class EventKind(models.TextChoices):
    """One step in an item's life, as its progress log shows it."""

    CREATE = "create", _("登记")
    ASSIGN = "assign", _("交办")
    SIGN = "sign", _("签收")
    PROGRESS = "progress", _("进展")
    REPORT = "report", _("办结报告")
    REVIEW_BACK = "review_back", _("复核退回")
    CLOSE = "close", _("复核通过并销号")
    REOPEN = "reopen", _("重新整改")
    EDIT = "edit", _("修改")
    GATHER = "gather", _("归集问题")


class Timing(models.TextChoices):
    """Deadline colour of an item (see models.Item.timing)."""

    ON_TIME = "on_time", _("按期推进")
    DUE_SOON = "due_soon", _("临期")
    OVERDUE = "overdue", _("逾期")
    CLOSED_ON_TIME = "closed_on_time", _("按期销号")
    CLOSED_LATE = "closed_late", _("逾期销号")
    NO_DEADLINE = "no_deadline", _("未定时限")


class AgencyKind(models.TextChoices):
    """单位类别."""

    TOWNSHIP = "township", _("乡镇")
    VILLAGE = "village", _("村")
    DEPARTMENT = "department", _("县直部门")
    OTHER = "other", _("其他单位")
