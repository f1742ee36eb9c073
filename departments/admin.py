from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import ApiToken, Department, Invitation, Membership, Organization, UserProfile


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


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "organization", "role", "state", "expires_at", "invited_by"]
    list_filter = ["organization", "state"]
    raw_id_fields = ["invitee", "invited_by", "department"]
    readonly_fields = ["token_hash"]

    def get_queryset(self, request):
        return Invitation.unscoped.get_queryset()


@admin.register(UserProfile)
class UserProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "default_organization", "language"]
    raw_id_fields = ["user"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Superusers may see and revoke tokens; the key itself is never stored."""

    list_display = [
        "name",
        "user",
        "prefix",
        "created_at",
        "last_used_at",
        "expires_at",
        "revoked_at",
    ]
    list_filter = ["revoked_at"]
    raw_id_fields = ["user"]
    readonly_fields = ["prefix", "key_hash", "created_at", "last_used_at"]
