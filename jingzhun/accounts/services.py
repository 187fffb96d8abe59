"""Writes for users and the audit log."""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.db import transaction

from jingzhun.orgunits.models import OrgUnit

from .audit import audit, audit_record
from .models import AuditEvent, Role, User

__all__ = ["audit_record", "lockout_reset", "otp_device_confirm", "password_changed", "user_create"]


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


def lockout_reset(*, username: str = "", ip: str = "", acting_user: User | None = None, source: str,
                  request_ip: str | None = None) -> int:
    """解除登录锁定: clear django-axes' failed attempts of an account and/or an address; returns how many."""
    from axes.utils import reset

    if not username and not ip:
        raise ValueError("username or ip required")
    with transaction.atomic():
        cleared = reset(username=username or None, ip=ip or None)
        audit_record(action=AuditEvent.Action.UNLOCK, actor=acting_user,
                     username="" if acting_user is not None else "system", target=username or ip, ip=request_ip,
                     detail={"username": username, "ip": ip, "attempts_cleared": cleared, "source": source})
    return cleared


def password_changed(*, request) -> None:
    """Audit a user's change of their own password (Django's PasswordChangeView did the write)."""
    audit(request, AuditEvent.Action.PASSWORD_CHANGE, request.user.get_username())


@transaction.atomic
def otp_device_confirm(*, device, request) -> None:
    """Mark a TOTP device confirmed after the user typed one good code, with an audit row."""
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    audit(request, AuditEvent.Action.OTP_ENROL, request.user.get_username(), device=device.name)
