"""API tokens and service accounts: create (the token shown once), revoke, and authenticate.

A token reads ``jz_<prefix>_<secret>``: the prefix finds the row, the SHA-256 of the whole token is
compared in constant time. Every creation and revocation leaves an audit row (TOKEN); the calls made
with a token are audited by the API itself (jingzhun.api.base).
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jingzhun.orgunits.models import OrgUnit

from .audit import audit_record
from .models import ApiToken, AuditEvent, User

__all__ = ["DEFAULT_DAYS", "MAX_DAYS", "TokenError", "service_account_create", "token_authenticate",
           "token_create", "token_revoke"]

DEFAULT_DAYS = 90
#: A token lives at most a year: an integration renews it, a forgotten one dies.
MAX_DAYS = 366
#: last_used_at is written at most this often (a busy integration would otherwise write on every call).
_TOUCH_EVERY = datetime.timedelta(minutes=1)


class TokenError(ValueError):
    """A request about tokens that cannot be done; the message says why, in the user's language."""


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def service_account_create(*, username: str, role: str, org_unit: OrgUnit | None, full_name: str = "",
                           acting_user: User | None = None) -> User:
    """A 服务账号: a user bound to a unit and a role like a person, with no password (tokens only)."""
    if User.objects.filter(username=username).exists():
        raise TokenError(_("用户名“%(name)s”已存在。") % {"name": username})
    user = User(username=username, role=role, org_unit=org_unit, full_name=full_name, is_service=True)
    user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    audit_record(action=AuditEvent.Action.USER_CHANGE, actor=acting_user,
                 username="" if acting_user is not None else "system", target=username,
                 detail={"created": True, "service": True, "role": role, "unit": org_unit.pk if org_unit else ""})
    return user


@transaction.atomic
def token_create(*, user: User, days: int = DEFAULT_DAYS, name: str = "",
                 acting_user: User | None = None) -> tuple[ApiToken, str]:
    """A new token for `user`, valid `days` days: (the row, the token — shown once, never stored)."""
    if not user.is_active:
        raise TokenError(_("账号“%(name)s”已停用，不能签发令牌。") % {"name": user.get_username()})
    if not 1 <= days <= MAX_DAYS:
        raise TokenError(_("有效天数应在 1 到 %(max)s 之间。") % {"max": MAX_DAYS})
    prefix = secrets.token_hex(4)
    raw = f"jz_{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(user=user, name=name[:100], prefix=prefix, digest=_digest(raw),
                                    expires_at=timezone.now() + datetime.timedelta(days=days))
    audit_record(action=AuditEvent.Action.TOKEN, actor=acting_user,
                 username="" if acting_user is not None else "system", target=user.get_username(),
                 detail={"created": prefix, "days": days, "name": token.name})
    return token, raw


@transaction.atomic
def token_revoke(*, prefix: str, acting_user: User | None = None) -> ApiToken:
    """End a token now (its row stays, for the audit log's sake); revoking twice is an error."""
    # select_for_update: two revocations at once record one revocation, not two
    token = ApiToken.objects.select_for_update().filter(prefix=prefix.removeprefix("jz_").split("_")[0]).first()
    if token is None:
        raise TokenError(_("没有前缀为“%(prefix)s”的令牌。") % {"prefix": prefix})
    if token.revoked_at is not None:
        raise TokenError(_("令牌 %(prefix)s 已于 %(at)s 吊销。") % {
            "prefix": token.prefix, "at": timezone.localtime(token.revoked_at).strftime("%Y-%m-%d %H:%M")})
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit_record(action=AuditEvent.Action.TOKEN, actor=acting_user,
                 username="" if acting_user is not None else "system", target=token.user.get_username(),
                 detail={"revoked": token.prefix})
    return token


def token_authenticate(raw: str) -> ApiToken | None:
    """The usable token `raw` names (its user active), or None: unknown, wrong, expired or revoked."""
    parts = raw.split("_")
    if len(parts) < 3 or parts[0] != "jz":
        return None
    token = ApiToken.objects.select_related("user").filter(prefix=parts[1]).first()
    if token is None or not hmac.compare_digest(token.digest, _digest(raw)):
        return None
    now = timezone.now()
    if not token.usable(now=now) or not token.user.is_active:
        return None
    if token.last_used_at is None or now - token.last_used_at > _TOUCH_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token
