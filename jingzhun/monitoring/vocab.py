"""The monitoring app's vocabularies: channels of leads, their states and results, and the risk types.

风险类型 follow the national 防止返贫监测 list (the issue names them); the registry's helper may later
share this vocabulary with `Household.risk_type`.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    SELF_REPORT = "self_report", _("农户自主申报")
    VILLAGE_CHECK = "village_check", _("村级排查")
    DEPARTMENT = "department", _("部门预警")


class RiskType(models.TextChoices):
    ILLNESS = "illness", _("因病")
    DISABILITY = "disability", _("因残")
    SCHOOLING = "schooling", _("因学")
    DISASTER = "disaster", _("因灾")
    ACCIDENT = "accident", _("因意外事故")
    FAILED_PROJECT = "failed_project", _("因产业项目失败")
    UNSTABLE_WORK = "unstable_work", _("因务工就业不稳")
    LABOUR = "labour", _("缺劳动力")
    HOUSING = "housing", _("住房出现安全问题")
    WATER = "water", _("饮水安全问题")
    OTHER = "other", _("其他")


class Status(models.TextChoices):
    PENDING = "pending", _("待核实")
    VERIFIED = "verified", _("已核实")


class Result(models.TextChoices):
    INCLUDE = "include", _("纳入")
    EXCLUDE = "exclude", _("不纳入")
    ALREADY = "already", _("已是监测对象")
