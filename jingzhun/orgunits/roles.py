"""The roles a user can have, and the org-unit levels each may be bound to.

They live here, at the bottom layer, because `Access` decides reach by role; `accounts.models`
re-exports them for the user model.
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
    SYSADMIN = "sysadmin", _("系统管理员")


#: The org-unit levels a user of each role may be bound to.
ROLE_LEVELS: dict[str, frozenset[int]] = {
    Role.VILLAGE_CLERK: frozenset({Level.VILLAGE}),
    Role.TOWNSHIP_OFFICER: frozenset({Level.TOWNSHIP}),
    Role.COUNTY_ADMIN: frozenset({Level.COUNTY}),
    Role.ANALYST: frozenset({Level.PROVINCE, Level.CITY}),
    Role.EVALUATOR: frozenset(Level.values),
    Role.CADRE: frozenset({Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE}),
    Role.SYSADMIN: frozenset(Level.values),
}
