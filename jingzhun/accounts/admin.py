"""The Django admin is for the system administrator only (the one role with is_staff)."""

from django.contrib import admin, messages
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django_otp.plugins.otp_totp import admin as totp_admin
from django_otp.plugins.otp_totp.models import TOTPDevice
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .audit import client_ip
from .models import AuditEvent, User
from .services import lockout_reset


#: The four permissions Django makes for every model. It stores their names once, at migrate time, in the
#: words of the model's verbose_name then ("Can add 审计日志"), so the admin shows them in neither language.
_BUILTIN_PERMISSIONS = {"add": _("可添加%(model)s"), "change": _("可修改%(model)s"), "delete": _("可删除%(model)s"),
                        "view": _("可查看%(model)s")}


def permission_label(permission) -> str:
    """A permission as the admin lists it ("用户与权限 | 审计日志 | 可查看审计日志"), in the active language."""
    action, _sep, model_name = permission.codename.partition("_")
    model = permission.content_type.model_class()
    if action in _BUILTIN_PERMISSIONS and model is not None and model._meta.model_name == model_name:
        name = _BUILTIN_PERMISSIONS[action] % {"model": model._meta.verbose_name}
    else:
        name = permission.name
    return f"{permission.content_type} | {name}"


class _TranslatedPermissions:
    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if db_field.name in ("permissions", "user_permissions"):
            field.label_from_instance = permission_label
        return field


class _AdminSetPassword:
    """A password an administrator typed is known to two people: the user must replace it at sign-in."""

    def set_password_and_save(self, user, *args, commit=True, **kwargs):
        user = super().set_password_and_save(user, *args, commit=False, **kwargs)
        user.must_change_password = True  # after set_password, which clears it
        if commit:
            user.save()
        return user


class UserCreationForm(_AdminSetPassword, auth_forms.AdminUserCreationForm):
    pass


class AdminPasswordChangeForm(_AdminSetPassword, auth_forms.AdminPasswordChangeForm):
    pass


@admin.register(User)
class UserAdmin(_TranslatedPermissions, BaseUserAdmin):
    add_form = UserCreationForm
    change_password_form = AdminPasswordChangeForm
    actions = ["unlock"]
    list_display = ("username", "full_name", "role", "org_unit", "is_active", "last_login")
    list_filter = ("role", "is_active")
    search_fields = ("username", "full_name", "org_unit__code", "org_unit__name")
    autocomplete_fields = ("org_unit",)
    fieldsets = BaseUserAdmin.fieldsets + ((_("岗位与范围"), {"fields": ("role", "org_unit", "full_name", "phone")}),)
    add_fieldsets = BaseUserAdmin.add_fieldsets + ((_("岗位与范围"), {"fields": ("role", "org_unit", "full_name")}),)

    @admin.action(description=_("解除所选用户的登录锁定"))
    def unlock(self, request, queryset):
        cleared = sum(lockout_reset(username=user.get_username(), acting_user=request.user, source="admin",
                                    request_ip=client_ip(request)) for user in queryset)
        self.message_user(request, ngettext("已解除 %(users)d 个用户的锁定（清除失败记录 %(n)d 条）。",
                                            "已解除 %(users)d 个用户的锁定（清除失败记录 %(n)d 条）。", queryset.count())
                          % {"users": queryset.count(), "n": cleared}, messages.SUCCESS)


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("at", "action", "username", "target", "ip")
    list_filter = ("action",)
    search_fields = ("username", "target")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(_TranslatedPermissions, BaseGroupAdmin):
    pass


# django-otp builds its search help from the user model's verbose names when its admin module is imported,
# so it would stay in the language of that moment (imported above, so that it is registered by now).
admin.site.unregister(TOTPDevice)


@admin.register(TOTPDevice)
class TOTPDeviceAdmin(totp_admin.TOTPDeviceAdmin):
    search_help_text = _("按用户的用户名或电子邮件地址搜索")
