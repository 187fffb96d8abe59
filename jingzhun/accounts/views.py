"""Sign-in (password, then a TOTP code when the user has an authenticator), password change, 2FA enrolment."""

from __future__ import annotations

import time

import qrcode
import qrcode.image.svg
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_client_username, get_cool_off
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp import match_token, user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from jingzhun.orgunits.permissions import may_manage_tokens, require

from . import services
from .forms import LoginForm, PasswordChangeForm, ServiceAccountForm, TokenCreateForm, TokenForm
from .models import ApiToken, User
from .tokens import TokenError, service_account_create, token_create, token_revoke

#: Session keys of a sign-in waiting for its TOTP code.
_PENDING = "jz_2fa_pending"
#: Seconds the code may take after the password.
_PENDING_SECONDS = 300


def lockout_response(request, original_response=None, credentials=None):
    """The page django-axes shows instead of the sign-in answer while an account or address is locked."""
    cool_off = get_cool_off(request)
    return render(request, "accounts/locked_out.html", {
        "failure_limit": settings.AXES_FAILURE_LIMIT, "username": get_client_username(request, credentials) or "",
        "cooloff_minutes": int(cool_off.total_seconds() // 60) if cool_off else None,
    }, status=429)


class SignInView(auth_views.LoginView):
    """The password step; a user with a confirmed authenticator goes on to the code before being signed in."""

    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        user = form.get_user()
        if not user_has_device(user, confirmed=True):
            return super().form_valid(form)
        self.request.session[_PENDING] = {"user": user.pk, "backend": user.backend, "at": time.time(),
                                          "next": self.get_success_url()}
        return redirect("accounts:otp_verify")


@require_http_methods(["GET", "POST"])
def otp_verify(request):
    """The code step: after the password (not yet signed in), or for a signed-in user not yet verified."""
    pending = request.session.get(_PENDING)
    if request.user.is_authenticated:
        user, next_url = request.user, request.GET.get("next", "")
        if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()},
                                               require_https=request.is_secure()):
            next_url = settings.LOGIN_REDIRECT_URL
        if user.is_verified():
            return redirect(next_url)
    elif pending and time.time() - pending["at"] <= _PENDING_SECONDS:
        user = get_user_model().objects.filter(pk=pending["user"], is_active=True).first()
        next_url = pending["next"]
        if user is None:
            return redirect("accounts:login")
    else:
        request.session.pop(_PENDING, None)
        if pending:
            messages.info(request, _("验证超时，请重新登录。"))
        return redirect("accounts:login")
    credentials = {"username": user.get_username()}
    if not AxesProxyHandler.is_allowed(request, credentials):
        request.session.pop(_PENDING, None)
        return lockout_response(request, credentials=credentials)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(user, form.cleaned_data["token"])
        if device is not None:
            request.session.pop(_PENDING, None)
            if request.user.is_authenticated:
                otp_login(request, device)
            else:
                user.otp_device = device  # django-otp keeps it in the session on login()
                login(request, user, backend=pending["backend"])
            return redirect(next_url)
        # A wrong code counts as a failed sign-in: audited, and throttled by django-axes like a password.
        user_login_failed.send(sender=__name__, credentials={**credentials, "step": "totp"}, request=request)
        form.add_error("token", _wrong_code_message(TOTPDevice.objects.filter(user=user, confirmed=True).first()))
    return render(request, "accounts/otp_verify.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def otp_enrol(request):
    """Bind an authenticator app: show its otpauth URI as a QR code, confirm with one code."""
    user = request.user
    if user_has_device(user, confirmed=True):
        return render(request, "accounts/otp_enrol.html", {"enrolled": True})
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first() or TOTPDevice.objects.create(
        user=user, name=_("身份验证器"), confirmed=False)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            services.otp_device_confirm(device=device, request=request)
            otp_login(request, device)
            messages.success(request, _("两步验证已启用：以后登录时，输入密码后还须输入验证码。"))
            return redirect(settings.LOGIN_REDIRECT_URL)
        form.add_error("token", _wrong_code_message(device))
    uri = device.config_url
    svg = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=16).to_string(encoding="unicode")
    return render(request, "accounts/otp_enrol.html", {"form": form, "uri": uri, "qr_svg": svg,
                                                        "secret": _base32(device.bin_key)})


def _wrong_code_message(device) -> str:
    """Why a code was refused: wrong, or django-otp's own back-off after wrong codes (then even a right one)."""
    allowed, why = device.verify_is_allowed() if device is not None else (True, None)
    if not allowed and why and why.get("locked_until"):
        return _("验证码输错次数过多，请稍等片刻再输入最新的验证码。")
    return _("验证码不正确或已过期：请确认手机时间准确，并输入应用中最新的 6 位数字。")


def _base32(key: bytes) -> str:
    from base64 import b32encode

    text = b32encode(key).decode().rstrip("=")
    return " ".join(text[i:i + 4] for i in range(0, len(text), 4))


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    form_class = PasswordChangeForm
    success_url = reverse_lazy(settings.LOGIN_REDIRECT_URL)

    def form_valid(self, form):
        response = super().form_valid(form)
        services.password_changed(request=self.request)
        messages.success(self.request, _("密码已修改。"))
        return response



# --- 接口令牌: service accounts and API tokens, for the system administrator -----------------------------

def _token_admin(request) -> None:
    require(may_manage_tokens(request.user), _("接口令牌与服务账号由系统管理员管理。"))


@login_required
@require_http_methods(["GET"])
def token_list(request):
    """Service accounts and every token: prefix, account, role, unit, purpose, expiry, last use, state."""
    _token_admin(request)
    now = timezone.now()
    tokens = list(ApiToken.objects.select_related("user", "user__org_unit").order_by("-created_at"))
    for token in tokens:
        token.state = (_("已吊销") if token.revoked_at else _("已过期") if token.expires_at <= now else _("有效"))
    accounts = (User.objects.filter(is_service=True).select_related("org_unit")
                .annotate(usable_n=Count("api_tokens", filter=Q(api_tokens__revoked_at__isnull=True,
                                                                   api_tokens__expires_at__gt=now)))
                .order_by("username"))
    return render(request, "accounts/token_list.html", {"tokens": tokens, "accounts": accounts})


@login_required
@require_http_methods(["GET", "POST"])
def service_account_new(request):
    """Create a 服务账号 (no password: it calls the API with tokens only)."""
    _token_admin(request)
    form = ServiceAccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            account = service_account_create(username=data["username"], role=data["role"], org_unit=data["unit"],
                                             full_name=data["full_name"], acting_user=request.user)
        except TokenError as exc:
            form.add_error("username", str(exc))
        except ValidationError as exc:  # the user model's rules (a role bound to a unit of the wrong level)
            for field, errors in exc.message_dict.items():
                field = {"org_unit": "unit"}.get(field, field)
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("已创建服务账号 %(name)s：现在可以为它签发令牌。") % {"name": account.username})
            return redirect(f"{reverse('accounts:token_new')}?account={account.pk}")
    return render(request, "accounts/service_account_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def token_new(request):
    """Issue a token; the token is shown on the answer to this POST only (not stored, not in messages)."""
    _token_admin(request)
    form = TokenCreateForm(request.POST or None, initial={"account": request.GET.get("account")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            token, raw = token_create(user=data["account"], days=data["days"], name=data["purpose"],
                                      acting_user=request.user)
        except TokenError as exc:
            form.add_error(None, str(exc))
        else:
            response = render(request, "accounts/token_created.html", {"token": token, "raw": raw})
            add_never_cache_headers(response)  # no copy of the page in a cache or the browser's history
            return response
    return render(request, "accounts/token_form.html", {"form": form})


@login_required
@require_POST
def token_revoke_view(request, prefix: str):
    """Revoke a token now: every later call with it is refused (401)."""
    _token_admin(request)
    try:
        token = token_revoke(prefix=prefix, acting_user=request.user)
    except TokenError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已吊销令牌 %(prefix)s（%(name)s）：此后用它的调用一律被拒绝。")
                         % {"prefix": token.prefix, "name": token.user.get_username()})
    return redirect("accounts:token_list")
