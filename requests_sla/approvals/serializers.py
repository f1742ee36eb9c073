"""DRF serializers of approvals: input and output apart."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from requests_sla.approvals.models import ApprovalStep


class StepOutput(serializers.ModelSerializer):
    request_reference = serializers.CharField(source="request.reference", read_only=True)
    request_title = serializers.CharField(source="request.title", read_only=True)
    name = serializers.CharField(read_only=True)
    due_at = serializers.DateTimeField(source="timer.due_at", read_only=True, allow_null=True)

    class Meta:
        model = ApprovalStep
        fields = [
            "id",
            "request",
            "request_reference",
            "request_title",
            "position",
            "round",
            "name",
            "state",
            "approver",
            "on_behalf_of",
            "actor",
            "activated_at",
            "acted_at",
            "reason",
            "due_at",
        ]
        read_only_fields = fields


class ActInput(serializers.Serializer):
    action = serializers.ChoiceField(choices=["approve", "reject", "send_back"])
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")

    def validate(self, attrs):
        if attrs["action"] != "approve" and not attrs.get("reason", "").strip():
            raise serializers.ValidationError({"reason": [_("驳回或退回时请填写理由。")]})
        return attrs
