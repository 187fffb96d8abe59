"""The Django admin is for the system administrator only (the one role with is_staff)."""

from django.contrib import admin, messages
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .audit import client_ip
from .models import AuditEvent, User
from .services import lockout_reset


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
class UserAdmin(BaseUserAdmin):
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
