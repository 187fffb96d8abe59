from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


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
