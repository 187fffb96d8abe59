"""Writes for users and the audit log."""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.db import transaction

from jingzhun.orgunits.models import OrgUnit

from .models import AuditEvent, Role, User


def audit_record(*, action: str, actor: User | None = None, username: str = "", target: str = "",
                 detail: dict | None = None, ip: str | None = None) -> AuditEvent:
    return AuditEvent.objects.create(
        action=action, actor=actor if actor is not None and actor.pk else None,
        username=username or (actor.get_username() if actor is not None and actor.pk else ""),
        target=target[:255], detail=detail or {}, ip=ip)


@transaction.atomic
def user_create(*, username: str, password: str, role: str, org_unit: OrgUnit | None,
                full_name: str = "", phone: str = "", check_password: bool = True) -> User:
    """Create a user bound to an org unit of a level their role allows (User.clean checks it)."""
    user = User(username=username, role=role, org_unit=org_unit, full_name=full_name, phone=phone,
                is_staff=role == Role.SYSADMIN, is_superuser=role == Role.SYSADMIN)
    if check_password:
        validate_password(password, user)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    return user
