"""Writes for users and the audit log."""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from jingzhun.orgunits.models import OrgUnit

from .models import ROLE_LEVELS, AuditEvent, Role, User


def audit_record(*, action: str, actor: User | None = None, username: str = "", target: str = "",
                 detail: dict | None = None, ip: str | None = None) -> AuditEvent:
    return AuditEvent.objects.create(
        action=action, actor=actor if actor is not None and actor.pk else None,
        username=username or (actor.get_username() if actor is not None and actor.pk else ""),
        target=target[:255], detail=detail or {}, ip=ip)


@transaction.atomic
def user_create(*, username: str, password: str, role: str, org_unit: OrgUnit | None,
                full_name: str = "", phone: str = "", check_password: bool = True) -> User:
    """Create a user bound to an org unit of a level their role allows."""
    if role not in Role.values:
        raise ValidationError(_("未知角色：%(role)s") % {"role": role})
    if role != Role.SYSADMIN and org_unit is None:
        raise ValidationError(_("除系统管理员外，每个用户都必须绑定一个行政区划单位。"))
    if org_unit is not None and org_unit.level not in ROLE_LEVELS[role]:
        raise ValidationError(_("角色“%(role)s”不能绑定到“%(unit)s”这一级。")
                              % {"role": Role(role).label, "unit": org_unit.get_level_display()})
    user = User(username=username, role=role, org_unit=org_unit, full_name=full_name, phone=phone,
                is_staff=role == Role.SYSADMIN, is_superuser=role == Role.SYSADMIN)
    if check_password:
        validate_password(password, user)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    return user
