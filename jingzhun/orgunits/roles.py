"""Roles (角色) and the org-unit levels each may be bound to.

They live here, below accounts: what a role may see and do is decided in orgunits (`access`), and
accounts' User stores a role. `jingzhun.accounts.models` re-exports both names.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from .models import Level


class Role(models.TextChoices):
    VILLAGE_CLERK = "village_clerk", _("村级信息员")
    TOWNSHIP_OFFICER = "township_officer", _("乡镇扶贫专干")
    COUNTY_ADMIN = "county_admin", _("县级管理员")
    ANALYST = "analyst", _("市/省级分析员")
    EVALUATOR = "evaluator", _("第三方评估")
    CADRE = "cadre", _("帮扶责任人")
    #: A member of a 驻村工作队: reads the village it is stationed in and records visits there.
    WORK_TEAM = "work_team", _("驻村工作队")
    #: Staff of a county department (县直部门: 民政局, 住建局 …): read the county's registry like an evaluator
    #: (masked) and act on the ledger items their department answers for (jingzhun.supervision).
    DEPARTMENT = "department", _("县直部门")
    SYSADMIN = "sysadmin", _("系统管理员")


#: The org-unit levels a user of each role may be bound to.
ROLE_LEVELS: dict[str, frozenset[int]] = {
    Role.VILLAGE_CLERK: frozenset({Level.VILLAGE}),
    Role.TOWNSHIP_OFFICER: frozenset({Level.TOWNSHIP}),
    Role.COUNTY_ADMIN: frozenset({Level.COUNTY}),
    Role.ANALYST: frozenset({Level.PROVINCE, Level.CITY}),
    Role.EVALUATOR: frozenset(Level.values),
    Role.CADRE: frozenset({Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE}),
    Role.WORK_TEAM: frozenset({Level.VILLAGE}),
    Role.DEPARTMENT: frozenset({Level.COUNTY}),
    Role.SYSADMIN: frozenset(Level.values),
}
