"""单位: the units a county's ledger names — its townships and villages (one per division, made on demand)
and its departments (entered by the county, with the users who act for them)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from jingzhun.accounts.models import User
from jingzhun.orgunits.access import access_for
from jingzhun.orgunits.models import Level, OrgUnit
from jingzhun.orgunits.permissions import may_manage_ledger, require
from jingzhun.orgunits.roles import Role

from ..models import Agency
from ..vocab import AgencyKind
from .items import LedgerError

_KIND_OF_LEVEL = {Level.TOWNSHIP: AgencyKind.TOWNSHIP, Level.VILLAGE: AgencyKind.VILLAGE}


def _require_county(acting_user, county: str) -> None:
    access = access_for(acting_user)
    require(may_manage_ledger(access) and access.reaches_code(county), _("只有县级管理员可以维护本县的单位。"))


def agency_for_org(org: OrgUnit) -> Agency:
    """The unit of a township or village (made the first time it is needed, named as the division)."""
    if org.level not in _KIND_OF_LEVEL:
        raise LedgerError(_("只有乡镇和村可以作为区划单位。"))
    agency, _made = Agency.objects.get_or_create(
        org=org, defaults={"county_id": org.code[:6], "kind": _KIND_OF_LEVEL[org.level], "name": org.short_name})
    return agency


@transaction.atomic
def agencies_sync_townships(*, acting_user, county: str) -> int:
    """Make the unit of every township of the county that has none; returns how many were made."""
    _require_county(acting_user, county)
    made = 0
    for org in OrgUnit.objects.filter(parent_id=county, level=Level.TOWNSHIP):
        if not Agency.objects.filter(org=org).exists():
            if Agency.objects.filter(county_id=county, name=org.short_name).exists():
                raise LedgerError(_("已有名为“%(name)s”的单位，与乡镇重名；请先修改该单位的名称。") % {"name": org.short_name})
            agency_for_org(org)
            made += 1
    return made


@transaction.atomic
def agency_create(*, acting_user, county: str, name: str, kind: str = AgencyKind.DEPARTMENT) -> Agency:
    """A department (or other unit) of the county, by name."""
    _require_county(acting_user, county)
    name = name.strip()
    if not name:
        raise LedgerError(_("请填写单位名称。"))
    if kind not in (AgencyKind.DEPARTMENT, AgencyKind.OTHER):
        raise LedgerError(_("乡镇和村的单位随区划自动建立，这里只能添加县直部门或其他单位。"))
    if Agency.objects.filter(county_id=county, name=name).exists():
        raise LedgerError(_("本县已有名为“%(name)s”的单位。") % {"name": name})
    return Agency.objects.create(county_id=county, kind=kind, name=name)


@transaction.atomic
def agency_staff_set(*, acting_user, agency_id: int, usernames: list[str]) -> Agency:
    """The users (role 县直部门, of the same county) who act for a department."""
    agency = Agency.objects.select_for_update().filter(pk=agency_id).first()
    if agency is None:
        raise LedgerError(_("没有这个单位。"))
    _require_county(acting_user, agency.county_id)
    if agency.org_id is not None:
        raise LedgerError(_("乡镇和村的经办人员就是该乡镇、村的账号，无需指定。"))
    users = list(User.objects.filter(username__in=usernames))
    missing = sorted(set(usernames) - {u.username for u in users})
    if missing:
        raise LedgerError(_("没有这些用户：%(names)s。") % {"names": "、".join(missing)})
    wrong = [u.username for u in users if u.role != Role.DEPARTMENT or u.org_unit_id != agency.county_id]
    if wrong:
        raise LedgerError(_("只有本县“县直部门”角色的用户可以作为部门经办人员：%(names)s 不是。") % {"names": "、".join(wrong)})
    agency.staff.set(users)
    return agency
