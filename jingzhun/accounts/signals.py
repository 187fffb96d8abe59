"""Audit rows for sign-in, failed sign-in, sign-out, lockouts, and changes to user accounts."""

from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from .audit import client_ip
from .middleware import session_start
from .models import AuditEvent, User
from .services import audit_record


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    audit_record(action=AuditEvent.Action.LOGIN, actor=user, ip=client_ip(request))
    if request is not None and hasattr(request, "session"):
        session_start(request)


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        reason = getattr(request, "jz_logout_reason", None)
        audit_record(action=AuditEvent.Action.LOGOUT, actor=user, ip=client_ip(request),
                     detail={"reason": reason} if reason else None)


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    audit_record(action=AuditEvent.Action.LOGIN_FAILED, username=str(credentials.get("username", ""))[:150],
                 ip=client_ip(request), detail={"step": credentials["step"]} if credentials.get("step") else None)


@receiver(user_locked_out)
def _locked_out(sender, request, username, ip_address, **kwargs):
    """django-axes sends this on every attempt while locked: audit the attempt that locked."""
    failures = getattr(request, "axes_failures_since_start", None)
    if failures is not None and failures != settings.AXES_FAILURE_LIMIT:
        return
    audit_record(action=AuditEvent.Action.LOCKOUT, username=str(username or "")[:150],
                 target=str(username or ip_address), ip=ip_address, detail={"failures": failures, "limit": settings.AXES_FAILURE_LIMIT})


# --- changes to accounts (the admin, the CLI, the demo): old → new of the fields that decide access ----------

#: Fields whose change is audited; the password only as "changed", never its hash.
_TRACKED = ("username", "role", "org_unit_id", "is_active", "is_staff", "is_superuser", "full_name", "phone",
            "email", "must_change_password", "password")
_TRACKED_NAMES = {f.removesuffix("_id") for f in _TRACKED}


def _snapshot(user: User) -> dict:
    return {field: getattr(user, field) for field in _TRACKED}


def _request():
    """The request being served, if any (django-simple-history's middleware keeps it for the thread)."""
    from simple_history.models import HistoricalRecords

    return getattr(HistoricalRecords.context, "request", None)


def _actor(request):
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


@receiver(pre_save, sender=User)
def _user_before(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw or instance.pk is None or (update_fields is not None and not set(update_fields) & _TRACKED_NAMES):
        return  # a new user, or only last_login and the like
    instance._audit_before = User.objects.filter(pk=instance.pk).values(*_TRACKED).first()


@receiver(post_save, sender=User)
def _user_after(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    before = instance.__dict__.pop("_audit_before", None)
    after = _snapshot(instance)
    if created:
        changes = {k: [None, v] for k, v in after.items() if k != "password" and v not in ("", None, False)}
    elif before is None:
        return
    else:
        changes = {k: [before[k], after[k]] for k in _TRACKED if before[k] != after[k]}
    if not changes:
        return
    if "password" in changes:
        changes["password"] = ["***", "***"]
    request = _request()
    actor = _actor(request)
    audit_record(action=AuditEvent.Action.USER_CHANGE, actor=actor, username="" if actor else "system",
                 target=instance.get_username(), ip=client_ip(request),
                 detail={"created": created, "changes": {k.removesuffix("_id"): v for k, v in changes.items()}})


@receiver(post_delete, sender=User)
def _user_deleted(sender, instance, **kwargs):
    request = _request()
    actor = _actor(request)
    audit_record(action=AuditEvent.Action.USER_CHANGE, actor=actor, username="" if actor else "system",
                 target=instance.get_username(), ip=client_ip(request),
                 detail={"deleted": True, "role": instance.role, "org_unit": instance.org_unit_id})
