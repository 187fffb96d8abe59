"""Session limits, the steps a signed-in user must take first (two-factor enrolment, a new password), and
an audit row for every refused access (越权访问被拒绝).

A view or service that refuses raises PermissionDenied (403) or, for a record that exists outside the
user's reach, `OutOfReach` (a 404 like any other to the person, so a forged URL learns nothing);
DeniedAuditMiddleware records both as DENIED with who, when, from where, the method and the path. A plain
404 (a mistyped or stale URL, a record that does not exist) is not recorded: it reveals no attempt to
reach beyond one's scope, and auditing every 404 would bury the attempts under crawlers and typos.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from jingzhun.orgunits.permissions import OutOfReach, Refused

from .audit import audit
from .models import AuditEvent, Role

SIGNED_IN = "jz_signed_in"
LAST_SEEN = "jz_last_seen"
#: Last activity is written at most this often (seconds), not on every request.
_TOUCH_EVERY = 60
#: Roles that must use two-factor sign-in when JINGZHUN_REQUIRE_2FA is on.
TWO_FACTOR_ROLES = frozenset({Role.COUNTY_ADMIN, Role.SYSADMIN})
#: Views a user may reach before finishing the required steps (sign out, change password, two-factor).
_STEP_VIEWS = frozenset({"accounts:logout", "accounts:password_change", "accounts:otp_enrol", "accounts:otp_verify",
                         "set_language"})


def session_start(request, now: float | None = None) -> None:
    """Note when the session began (the absolute limit) and its last activity (the idle limit)."""
    now = time.time() if now is None else now
    request.session[SIGNED_IN] = now
    request.session[LAST_SEEN] = now


def _to_login(request, message: str) -> HttpResponse:
    messages.info(request, message)
    response = redirect_to_login(request.get_full_path())
    if request.headers.get("HX-Request"):
        response = HttpResponse(status=204, headers={"HX-Redirect": response["Location"]})
    return response


class IdleTimeoutMiddleware:
    """End a session after JINGZHUN_SESSION_IDLE_MINUTES without a request, and SESSION_COOKIE_AGE after sign-in.

    Django renews a session's expiry whenever it is saved, and noting activity saves it: so the absolute
    eight hours are checked here too, from the sign-in time kept in the session.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = time.time()
            signed_in = request.session.get(SIGNED_IN)
            if signed_in is None:  # a session from before this middleware
                session_start(request, now)
            else:
                last_seen = request.session.get(LAST_SEEN, signed_in)
                idle = settings.JINGZHUN_SESSION_IDLE_MINUTES * 60
                reason = ("idle" if idle and now - last_seen > idle
                          else "expired" if now - signed_in > settings.SESSION_COOKIE_AGE else None)
                if reason is not None:
                    request.jz_logout_reason = reason
                    logout(request)
                    idle, hours = settings.JINGZHUN_SESSION_IDLE_MINUTES, settings.SESSION_COOKIE_AGE // 3600
                    return _to_login(request, ngettext("您已 %(n)d 分钟未操作，为保护数据已自动退出，请重新登录。",
                                                       "您已 %(n)d 分钟未操作，为保护数据已自动退出，请重新登录。", idle)
                                     % {"n": idle} if reason == "idle"
                                     else ngettext("登录已超过 %(n)d 小时，请重新登录。", "登录已超过 %(n)d 小时，请重新登录。", hours)
                                     % {"n": hours})
                if now - last_seen >= _TOUCH_EVERY:
                    request.session[LAST_SEEN] = now
        return self.get_response(request)


def two_factor_required(user) -> bool:
    return settings.JINGZHUN_REQUIRE_2FA and user.role in TWO_FACTOR_ROLES


class SignInStepsMiddleware:
    """Send a signed-in user to two-factor enrolment/verification, then to a password change, when due."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        match = request.resolver_match
        if not user.is_authenticated or (match is not None and match.view_name in _STEP_VIEWS):
            return None
        if two_factor_required(user) and not user.is_verified():
            from django_otp import user_has_device

            if user_has_device(user, confirmed=True):
                return redirect("accounts:otp_verify")
            messages.info(request, _("您的岗位须使用两步验证登录：请先用手机上的身份验证器应用完成绑定。"))
            return redirect("accounts:otp_enrol")
        if user.must_change_password or user.password_expired():
            messages.info(request, _("您的密码由管理员设置，请先修改为只有您知道的密码。") if user.must_change_password
                          else ngettext("您的密码已超过 %(n)d 天未修改，请先修改密码。", "您的密码已超过 %(n)d 天未修改，请先修改密码。",
                                        settings.JINGZHUN_PASSWORD_MAX_AGE_DAYS)
                          % {"n": settings.JINGZHUN_PASSWORD_MAX_AGE_DAYS})
            return redirect("accounts:password_change")
        return None


class DeniedAuditMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, (PermissionDenied, OutOfReach)):
            return None
        audit(request, AuditEvent.Action.DENIED, request.path, method=request.method,
              status=404 if isinstance(exception, OutOfReach) else 403, reason=str(exception)[:200])
        if isinstance(exception, Refused) and exception.message:
            # A named check that says why: the person reads it on the 403 page.
            return render(request, "403.html", {"message": exception.message}, status=403)
        return None  # Django's own 403/404 handling answers as before
