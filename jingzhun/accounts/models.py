"""Users bound to one org unit, their role, and the audit log."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from jingzhun.orgunits.roles import ROLE_LEVELS, Role

__all__ = ["ROLE_LEVELS", "AuditEvent", "Role", "User"]


class User(AbstractUser):
    """A person who signs in; sees and changes only the subtree of their org unit."""

    role = models.CharField(_("角色"), max_length=32, choices=Role.choices)
    org_unit = models.ForeignKey("orgunits.OrgUnit", verbose_name=_("所属单位"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="users")
    full_name = models.CharField(_("姓名"), max_length=64, blank=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.full_name or self.username

    def clean(self) -> None:
        """A user is bound to one org unit, of a level their role allows (a sysadmin may have none)."""
        super().clean()
        if self.role != Role.SYSADMIN and self.org_unit_id is None:
            raise ValidationError({"org_unit": _("除系统管理员外，每个用户都必须绑定一个行政区划单位。")})
        if self.org_unit_id is not None and self.role in ROLE_LEVELS and self.org_unit.level not in ROLE_LEVELS[self.role]:
            raise ValidationError({"org_unit": _("角色“%(role)s”不能绑定到“%(unit)s”这一级。")
                                   % {"role": Role(self.role).label, "unit": self.org_unit.get_level_display()}})


class AuditEvent(models.Model):
    """审计日志: who did what, when, from where. Never edited; kept for inspection."""

    class Action(models.TextChoices):
        LOGIN = "login", _("登录")
        LOGIN_FAILED = "login_failed", _("登录失败")
        LOGOUT = "logout", _("退出登录")
        EXPORT = "export", _("导出")
        IMPORT = "import", _("导入")
        DENIED = "denied", _("越权访问被拒绝")

    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    username = models.CharField(_("用户名"), max_length=150, blank=True)
    action = models.CharField(_("操作"), max_length=32, choices=Action.choices)
    target = models.CharField(_("对象"), max_length=255, blank=True)
    detail = models.JSONField(_("详情"), default=dict, blank=True)
    ip = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True)

    class Meta:
        verbose_name = _("审计日志")
        verbose_name_plural = _("审计日志")
        ordering = ["-at"]
