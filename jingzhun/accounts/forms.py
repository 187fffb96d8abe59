from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from jingzhun.orgunits.models import OrgUnit

from .models import Role, User
from .tokens import DEFAULT_DAYS, MAX_DAYS


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _("用户名或密码不正确，请重新输入（注意区分大小写）。"),
        "inactive": _("该账号已停用，请联系县级管理员。"),
    }


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    """Change one's own password: the old one, then a new one that passes every validator and differs."""

    error_messages = {
        **auth_forms.PasswordChangeForm.error_messages,
        "password_incorrect": _("原密码不正确，请重新输入。"),
        "password_mismatch": _("两次输入的新密码不一致。"),
        "password_unchanged": _("新密码不能与原密码相同。"),
    }

    def clean(self):
        cleaned = super().clean()
        password = cleaned.get("new_password2")
        if password and "new_password2" not in self.errors and self.user.check_password(password):
            self.add_error("new_password2", forms.ValidationError(self.error_messages["password_unchanged"],
                                                                  code="password_unchanged"))
        return cleaned


class TokenForm(forms.Form):
    """The six digits of an authenticator app."""

    token = forms.RegexField(label=_("验证码"), regex=r"^\s*\d{6}\s*$", max_length=12,
                             error_messages={"invalid": _("请输入身份验证器应用显示的 6 位数字。"),
                                             "required": _("请输入身份验证器应用显示的 6 位数字。")},
                             widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric",
                                                           "autofocus": True}))

    def clean_token(self) -> str:
        return self.cleaned_data["token"].strip()


class ServiceAccountForm(forms.Form):
    """A 服务账号: bound to a unit and a role like a person (accounts.tokens.service_account_create)."""

    username = forms.RegexField(label=_("用户名"), max_length=150, regex=r"^[\w.@+-]+\Z",
                                help_text=_("字母、数字和 @ . + - _，如 yibao-api"),
                                error_messages={"invalid": _("用户名只能包含字母、数字和 @ . + - _。")})
    role = forms.ChoiceField(label=_("角色"), choices=[c for c in Role.choices if c[0] != Role.SYSADMIN],
                             help_text=_("接口调用者能看能改的，与同一角色的人相同"))
    unit = forms.CharField(label=_("所属单位代码"), max_length=12, help_text=_("区划代码，如 140826（县）"))
    full_name = forms.CharField(label=_("名称"), max_length=64, required=False,
                                help_text=_("如“县医保局接口”"))

    def clean_unit(self) -> OrgUnit:
        code = self.cleaned_data["unit"].strip()
        unit = OrgUnit.objects.filter(code=code).first()
        if unit is None:
            raise forms.ValidationError(_("没有代码为“%(code)s”的单位。") % {"code": code})
        return unit


class TokenCreateForm(forms.Form):
    """Issue a token to an account (accounts.tokens.token_create): shown once on the next page."""

    account = forms.ModelChoiceField(label=_("账号"), queryset=User.objects.none(), empty_label=None)
    days = forms.IntegerField(label=_("有效天数"), min_value=1, max_value=MAX_DAYS, initial=DEFAULT_DAYS)
    purpose = forms.CharField(label=_("用途"), max_length=100, required=False,
                              help_text=_("如“民政数据推送”，列表和审计日志中显示"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # service accounts first: a person's token is for trying the API, an integration gets its own account
        field = self.fields["account"]
        field.queryset = User.objects.filter(is_active=True).select_related("org_unit").order_by("-is_service",
                                                                                                 "username")
        field.label_from_instance = _account_label
        self.fields["days"].help_text = _("最长 %(max)s 天；到期后须重新签发") % {"max": MAX_DAYS}


def _account_label(user) -> str:
    kind = _("服务账号") if user.is_service else _("个人")
    unit = user.org_unit.name if user.org_unit_id else "—"
    return _("%(name)s（%(kind)s，%(role)s，%(unit)s）") % {"name": user.username, "kind": kind,
                                                           "role": user.get_role_display(), "unit": unit}
