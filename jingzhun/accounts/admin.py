"""The Django admin is for the system administrator only (the one role with is_staff)."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import AuditEvent, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "full_name", "role", "org_unit", "is_active", "last_login")
    list_filter = ("role", "is_active")
    search_fields = ("username", "full_name", "org_unit__code", "org_unit__name")
    autocomplete_fields = ("org_unit",)
    fieldsets = BaseUserAdmin.fieldsets + ((_("岗位与范围"), {"fields": ("role", "org_unit", "full_name", "phone")}),)
    add_fieldsets = BaseUserAdmin.add_fieldsets + ((_("岗位与范围"), {"fields": ("role", "org_unit", "full_name")}),)


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
