from django.contrib import admin

from departments.admin import TenantAdmin
from requests_sla.approvals.models import ApprovalStepDefinition
from requests_sla.catalog.models import RequestType
from requests_sla.notifications.models import Notification
from requests_sla.requests.models import Attachment, Comment, Request
from requests_sla.sla.models import BusinessCalendar, CalendarException, SlaEvent, SlaTimer


class CalendarExceptionInline(admin.TabularInline):
    model = CalendarException
    extra = 0
    fields = ["date", "kind", "name"]

    def get_queryset(self, request):
        return CalendarException.unscoped.all()


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(TenantAdmin):
    list_display = ["__str__", "organization", "department", "timezone", "country", "version"]
    inlines = [CalendarExceptionInline]
    readonly_fields = ["version"]


class ApprovalStepInline(admin.TabularInline):
    """The type's approval chain, steps in order (the page under 请求类型 is
    the admins' editor; this is the same rows for operators)."""

    model = ApprovalStepDefinition
    extra = 0
    ordering = ["position"]
    raw_id_fields = ["department"]
    fields = [
        "position",
        "name_zh",
        "name_en",
        "approver_kind",
        "role",
        "department",
        "condition_field",
        "condition_operator",
        "condition_value",
        "sla_hours",
    ]

    def get_queryset(self, request):
        return ApprovalStepDefinition.unscoped.all()


@admin.register(RequestType)
class RequestTypeAdmin(TenantAdmin):
    list_display = ["name_zh", "name_en", "code", "serving_department", "is_active", "organization"]
    list_filter = ["organization", "is_active"]
    search_fields = ["code", "name_zh", "name_en"]
    raw_id_fields = ["serving_department"]
    inlines = [ApprovalStepInline]

    def save_formset(self, request, form, formset, change):
        # Inline rows belong to the request type's organization.
        for obj in formset.save(commit=False):
            obj.organization_id = form.instance.organization_id
            obj.save()
        for obj in formset.deleted_objects:
            obj.delete()


class SlaTimerInline(admin.TabularInline):
    model = SlaTimer
    extra = 0
    can_delete = False
    fields = [
        "key",
        "unit",
        "amount",
        "state",
        "due_at",
        "remaining_minutes",
        "stopped_at",
        "superseded_at",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        return SlaTimer.unscoped.all()

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Request)
class RequestAdmin(TenantAdmin):
    """Read-mostly: lifecycle changes go through the services (they write the
    SLA event log), so status and timers are not editable here."""

    list_display = [
        "reference",
        "title",
        "status",
        "serving_department",
        "sla_state",
        "sla_due_at",
        "organization",
    ]
    list_filter = ["organization", "status", "sla_state"]
    search_fields = ["title", "number"]
    raw_id_fields = [
        "requester",
        "assignee",
        "requesting_department",
        "serving_department",
        "request_type",
    ]  # watchers go through RequestWatcher (a tenant table), not edited here
    readonly_fields = [
        "number",
        "status",
        "sla_state",
        "sla_due_at",
        "acknowledged_at",
        "resolved_at",
        "closed_at",
    ]
    inlines = [SlaTimerInline]


@admin.register(Comment)
class CommentAdmin(TenantAdmin):
    list_display = ["request", "author", "is_internal", "created_at", "organization"]
    raw_id_fields = ["request", "author"]  # mentions: through CommentMention


@admin.register(Attachment)
class AttachmentAdmin(TenantAdmin):
    list_display = ["original_name", "request", "size", "content_type", "organization"]
    raw_id_fields = ["request", "comment", "uploaded_by"]


@admin.register(SlaEvent)
class SlaEventAdmin(TenantAdmin):
    list_display = ["timer", "kind", "at", "reason", "organization"]
    raw_id_fields = ["timer", "actor"]

    def has_change_permission(self, request, obj=None):
        return False  # append-only


@admin.register(Notification)
class NotificationAdmin(TenantAdmin):
    list_display = ["recipient", "kind", "text", "read_at", "organization"]
    raw_id_fields = ["recipient", "request"]
