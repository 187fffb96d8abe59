"""Users bound to one org unit, their role, and the audit log."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Role lives with the division tree (what a role may see is decided there); re-exported for
# `from jingzhun.accounts.models import Role`.
from jingzhun.orgunits.roles import ROLE_LEVELS, Role

from .chain import chain_append

__all__ = ["ROLE_LEVELS", "ApiToken", "AuditEvent", "Role", "User"]


class User(AbstractUser):
    """A person who signs in; sees and changes only the subtree of their org unit."""

    role = models.CharField(_("角色"), max_length=32, choices=Role.choices)
    org_unit = models.ForeignKey("orgunits.OrgUnit", verbose_name=_("所属单位"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="users")
    full_name = models.CharField(_("姓名"), max_length=64, blank=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    #: Set when the password was last changed (None: never since this field existed; date_joined counts).
    password_changed_at = models.DateTimeField(_("密码修改时间"), null=True, blank=True, editable=False)
    #: An administrator set this password: the user must choose their own at the next sign-in.
    must_change_password = models.BooleanField(_("下次登录须修改密码"), default=False)
    #: 服务账号: an integration (a department's system, a province's pull) rather than a person. Bound to a
    #: unit and a role like a person, it has no password and signs in only with API tokens.
    is_service = models.BooleanField(_("服务账号"), default=False)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.full_name or self.username

    def set_password(self, raw_password) -> None:
        super().set_password(raw_password)
        self.password_changed_at = timezone.now()
        self.must_change_password = False

    def password_expired(self, *, now=None) -> bool:
        """True when JINGZHUN_PASSWORD_MAX_AGE_DAYS (0: never) have passed since the last change."""
        days = settings.JINGZHUN_PASSWORD_MAX_AGE_DAYS
        if not days or not self.has_usable_password():
            return False
        changed = self.password_changed_at or self.date_joined
        return (now or timezone.now()) - changed >= datetime.timedelta(days=days)

    def clean(self) -> None:
        """A user is bound to one org unit, of a level their role allows (a sysadmin may have none)."""
        super().clean()
        if self.role != Role.SYSADMIN and self.org_unit_id is None:
            raise ValidationError({"org_unit": _("除系统管理员外，每个用户都必须绑定一个行政区划单位。")})
        if self.org_unit_id is not None and self.role in ROLE_LEVELS and self.org_unit.level not in ROLE_LEVELS[self.role]:
            raise ValidationError({"org_unit": _("角色“%(role)s”不能绑定到“%(unit)s”这一级。")
                                   % {"role": Role(self.role).label, "unit": self.org_unit.get_level_display()}})


class AuditEvent(models.Model):
    """审计日志: who did what, when, from where. Never edited; kept for inspection.

    Rows form a hash chain (see jingzhun.accounts.audit): each row's ``hash`` is an HMAC over its content
    and the previous row's hash, computed in save(), so a deleted or edited row breaks the chain.
    """

    class Action(models.TextChoices):
        LOGIN = "login", _("登录")
        LOGIN_FAILED = "login_failed", _("登录失败")
        LOGOUT = "logout", _("退出登录")
        EXPORT = "export", _("导出")
        IMPORT = "import", _("导入")
        DENIED = "denied", _("越权访问被拒绝")
        SEARCH = "search", _("按身份证号查询")
        DOWNLOAD = "download", _("下载")
        LOCKOUT = "lockout", _("登录锁定")
        UNLOCK = "unlock", _("解除登录锁定")
        PASSWORD_CHANGE = "password_change", _("修改密码")
        OTP_ENROL = "otp_enrol", _("启用两步验证")
        USER_CHANGE = "user_change", _("用户变更")
        ARCHIVE = "archive", _("审计日志归档")
        BACKUP = "backup", _("数据库备份")
        RESTORE = "restore", _("数据库恢复")
        UPLOAD = "upload", _("上传佐证材料")
        LEAD = "lead", _("监测线索")
        API = "api", _("接口调用")
        TOKEN = "token", _("接口令牌")

    at = models.DateTimeField(_("时间"), default=timezone.now, editable=False, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    username = models.CharField(_("用户名"), max_length=150, blank=True)
    action = models.CharField(_("操作"), max_length=32, choices=Action.choices)
    target = models.CharField(_("对象"), max_length=255, blank=True)
    detail = models.JSONField(_("详情"), default=dict, blank=True)
    ip = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True)
    prev_hash = models.CharField(_("前一条校验值"), max_length=64, blank=True, editable=False)
    hash = models.CharField(_("校验值"), max_length=64, blank=True, editable=False)

    class Meta:
        verbose_name = _("审计日志")
        verbose_name_plural = _("审计日志")
        ordering = ["-at"]

    def save(self, *args, **kwargs) -> None:
        """Append to the chain; an existing row is never saved again (the audit log is append-only)."""
        if self.pk is not None:
            raise ValueError("audit events are append-only")
        chain_append(self, lambda: super(AuditEvent, self).save(*args, **kwargs))


class ApiToken(models.Model):
    """接口令牌: a bearer token of the API (/api/v1/), for a service account or a person.

    The token itself is shown once, when created; only its SHA-256 is kept (a token is 32 random bytes,
    so a fast hash suffices: there is no password to guess), with its first characters (`prefix`) to
    find the row and to name the token in lists, audit rows and `jingzhun token revoke`.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("账号"), on_delete=models.CASCADE,
                             related_name="api_tokens")
    name = models.CharField(_("用途"), max_length=100, blank=True)
    prefix = models.CharField(_("令牌前缀"), max_length=16, unique=True)
    digest = models.CharField(_("令牌摘要"), max_length=64)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    expires_at = models.DateTimeField(_("到期时间"))
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)

    class Meta:
        verbose_name = _("接口令牌")
        verbose_name_plural = _("接口令牌")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    def usable(self, *, now=None) -> bool:
        return self.revoked_at is None and (now or timezone.now()) < self.expires_at
