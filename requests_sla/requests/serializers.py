"""Input and output serializers of the requests API (apart, as the house style asks)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _
from rest_framework import serializers

from collab import limits
from collab.limits import LimitedJSONSerializerField
from collab.parsing import IdSerializerField
from collab.serializers import DepartmentBrief, ScopedPrimaryKeyField, UserBrief
from departments.models import Department
from requests_sla.catalog.links import links_attach
from requests_sla.catalog.models import Priority, RequestType
from requests_sla.requests import permissions

User = get_user_model()


class RequestTypeBrief(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()


class TimerOutput(serializers.Serializer):
    kind = serializers.CharField()
    key = serializers.CharField()
    name = serializers.CharField()
    unit = serializers.CharField()
    amount = serializers.DecimalField(max_digits=8, decimal_places=2)
    started_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField(allow_null=True)
    at_risk_at = serializers.DateTimeField(allow_null=True)
    state = serializers.CharField()
    remaining_minutes = serializers.IntegerField()
    elapsed_minutes = serializers.IntegerField()
    budget_minutes = serializers.IntegerField()
    provisional = serializers.BooleanField()
    paused = serializers.BooleanField()
    met = serializers.BooleanField(allow_null=True)
    stopped_at = serializers.DateTimeField(allow_null=True)
    stop_reason = serializers.CharField()


class RequestListOutput(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.IntegerField()
    reference = serializers.CharField()
    title = serializers.CharField()
    status = serializers.CharField()
    priority = serializers.CharField()
    request_type = RequestTypeBrief()
    serving_department = DepartmentBrief()
    requesting_department = DepartmentBrief(allow_null=True)
    requester = UserBrief()
    assignee = UserBrief(allow_null=True)
    created_at = serializers.DateTimeField()
    sla_due_at = serializers.DateTimeField(allow_null=True)
    sla_state = serializers.CharField()
    timers = TimerOutput(many=True, source="current_timers")


class AttachmentOutput(serializers.Serializer):
    id = serializers.IntegerField()
    original_name = serializers.CharField()
    size = serializers.IntegerField()
    content_type = serializers.CharField()
    url = serializers.SerializerMethodField()
    api_url = serializers.SerializerMethodField()
    comment_id = serializers.IntegerField(allow_null=True)
    field_key = serializers.CharField()
    uploaded_by = UserBrief()
    created_at = serializers.DateTimeField()

    def get_url(self, obj) -> str:
        """The download page (signed-in browsers), which checks the rule again."""
        return obj.get_absolute_url()

    def get_api_url(self, obj) -> str:
        """The same file for token clients (``attachment_download``)."""
        return f"/api/requests/{obj.request_id}/attachments/{obj.pk}/"


class RequestDetailOutput(RequestListOutput):
    description = serializers.CharField()
    extra = serializers.JSONField()
    status_reason = serializers.CharField()
    # The customer and deal it is for: kept by the app that owns them,
    # read through the link registry (one query, or none just after filing).
    account_id = serializers.IntegerField(allow_null=True, source="link_ids.account_id")
    opportunity_id = serializers.IntegerField(allow_null=True, source="link_ids.opportunity_id")
    acknowledged_at = serializers.DateTimeField(allow_null=True)
    resolved_at = serializers.DateTimeField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)
    watchers = UserBrief(many=True, source="watchers.all")
    # What ``selectors.request_get`` prefetched through the attachment rule.
    attachments = AttachmentOutput(many=True, source="visible_attachments")
    actions = serializers.SerializerMethodField()

    def get_actions(self, obj) -> list[str]:
        membership = self.context.get("membership")
        return permissions.available_actions(membership, obj) if membership else []

    def to_representation(self, instance):
        links_attach([instance])
        return super().to_representation(instance)


class RequestFiledOutput(RequestDetailOutput):
    """The detail of a request just filed, from what ``request_file`` holds:
    its filer always sees it, so nothing is read back."""

    watchers = UserBrief(many=True, source="filed_watchers")
    attachments = AttachmentOutput(many=True, source="filed_attachments")


class CommentOutput(serializers.Serializer):
    id = serializers.IntegerField()
    author = UserBrief()
    body = serializers.CharField()
    is_internal = serializers.BooleanField()
    mentions = UserBrief(many=True, source="mentions.all")
    attachments = AttachmentOutput(many=True, source="attachments.all")
    created_at = serializers.DateTimeField()


class PromiseOutput(serializers.Serializer):
    key = serializers.CharField()
    kind = serializers.CharField()
    name = serializers.CharField()
    unit = serializers.CharField()
    amount = serializers.DecimalField(max_digits=8, decimal_places=2)
    due_at = serializers.DateTimeField(allow_null=True)
    provisional = serializers.BooleanField()


class TimelineOutput(serializers.Serializer):
    at = serializers.DateTimeField()
    kind = serializers.CharField()
    actor = UserBrief(allow_null=True)
    summary = serializers.SerializerMethodField()

    def get_summary(self, entry) -> dict:
        data = dict(entry.data)
        if "comment" in data:
            comment = data.pop("comment")
            data.update(comment_id=comment.pk, body=comment.body, is_internal=comment.is_internal)
        if "changes" in data:
            data["changes"] = {
                key: [getattr(v, "code", v) for v in pair] for key, pair in data["changes"].items()
            }
        return data


class RequestCreateInput(serializers.Serializer):
    request_type = ScopedPrimaryKeyField(RequestType, select_related=("serving_department",))
    serving_department = ScopedPrimaryKeyField(Department, required=False)
    requesting_department = ScopedPrimaryKeyField(Department, required=False, allow_null=True)
    priority = serializers.ChoiceField(choices=Priority.choices, required=False)
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, max_length=20_000)
    extra = LimitedJSONSerializerField(required=False)
    watchers = serializers.ListField(child=IdSerializerField(), required=False, max_length=50)
    # The customer or deal the request is for (a deal alone brings its account).
    account_id = IdSerializerField(required=False, allow_null=True)
    opportunity_id = IdSerializerField(required=False, allow_null=True)

    def validate_extra(self, value):
        if isinstance(value, str):  # multipart: the form values arrive as a JSON string
            try:
                value = limits.loads(value)
            except ValueError as exc:
                raise serializers.ValidationError([_("表单内容必须是对象。"), str(exc)]) from None
        if not isinstance(value, dict):
            raise serializers.ValidationError(_("表单内容必须是对象。"))
        return value

    def validate_watchers(self, value):
        users = list(User.objects.filter(pk__in=value))
        if len(users) != len(set(value)):
            raise serializers.ValidationError(_("用户不存在。"))
        return users


class ReasonInput(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class ResolveInput(serializers.Serializer):
    resolution = serializers.CharField(max_length=5000, required=False, allow_blank=True)


class TransferInput(serializers.Serializer):
    serving_department = ScopedPrimaryKeyField(Department)
    request_type = ScopedPrimaryKeyField(RequestType)
    priority = serializers.ChoiceField(choices=Priority.choices, required=False)
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class AssignInput(serializers.Serializer):
    assignee = IdSerializerField(allow_null=True)


class BulkAssignInput(serializers.Serializer):
    requests = serializers.ListField(child=IdSerializerField(), min_length=1, max_length=200)
    assignee = IdSerializerField(allow_null=True)


class CommentInput(serializers.Serializer):
    body = serializers.CharField(max_length=10_000)
    is_internal = serializers.BooleanField(required=False, default=False)


class AttachmentInput(serializers.Serializer):
    file = serializers.FileField()
    comment = IdSerializerField(required=False, allow_null=True)


class MilestoneInput(serializers.Serializer):
    key = serializers.CharField(max_length=48)


class WatcherInput(serializers.Serializer):
    user = IdSerializerField(required=False)


class PromiseInput(serializers.Serializer):
    request_type = ScopedPrimaryKeyField(RequestType)
    priority = serializers.ChoiceField(choices=Priority.choices, required=False)
