from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Department, Membership, Organization


class TenantAdmin(SimpleHistoryAdmin):
    """Superusers' admin sees every tenant (the middleware lifts the scope on
    /admin/ for superusers only); the list shows which tenant a row is in."""

    list_filter = ["organization"]

    def get_queryset(self, request):
        return self.model.unscoped.get_queryset()


@admin.register(Organization)
class OrganizationAdmin(SimpleHistoryAdmin):
    list_display = ["name", "slug", "timezone", "default_language", "country"]
    search_fields = ["name", "slug"]


@admin.register(Department)
class DepartmentAdmin(TenantAdmin):
    list_display = ["name_zh", "name_en", "code", "stage", "organization"]


@admin.register(Membership)
class MembershipAdmin(TenantAdmin):
    list_display = ["user", "organization", "role", "department", "is_active"]
    list_filter = ["organization", "role"]
    raw_id_fields = ["user", "department"]
