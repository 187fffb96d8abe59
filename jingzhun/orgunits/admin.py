from django.contrib import admin

from .models import OrgUnit


@admin.register(OrgUnit)
class OrgUnitAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "level")
    list_filter = ("level",)
    search_fields = ("code", "name")

    def has_add_permission(self, request):
        return False  # the tree comes from the statistical code list (jingzhun init)

    def has_delete_permission(self, request, obj=None):
        return False
