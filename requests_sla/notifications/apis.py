"""DRF API of the inbox (also under its older address /api/notifications/)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from collab.api import TenantAPIMixin
from requests_sla.notifications import selectors, services
from requests_sla.notifications.models import Notification
from requests_sla.notifications.services import notification_mark_read


class NotificationOutput(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    text = serializers.CharField(source="display_text", help_text="In the reader's language")
    request_id = serializers.IntegerField(allow_null=True)
    link = serializers.CharField(help_text="Site path to open when request_id is null")
    read_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()


class InboxViewSet(TenantAPIMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """The caller's notifications (escalations included), newest first:
    ``?unread=1`` filters, ``unread-count`` counts, ``read`` / ``read-all`` mark."""

    model = Notification
    serializer_class = NotificationOutput

    def get_scoped_queryset(self):
        unread = self.request.query_params.get("unread") in ("1", "true")
        return selectors.notifications_for(self.request.membership, unread_only=unread).order_by(
            "-created_at", "-pk"
        )

    @extend_schema(
        responses={200: {"type": "object", "properties": {"unread": {"type": "integer"}}}}
    )
    @action(detail=False, methods=["get"], url_path="unread-count")
    def unread_count(self, request):
        membership = request.membership
        count = selectors.unread_count(
            organization_id=membership.organization_id, user_id=membership.user_id
        )
        return Response({"unread": count})

    @extend_schema(request=None, responses=NotificationOutput)
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        notification = self.get_object()
        notification_mark_read(notification=notification, actor=request.membership)
        return Response(NotificationOutput(notification).data)

    @extend_schema(request=None, responses={200: {"type": "object"}})
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        marked = services.notifications_mark_all_read(actor=request.membership)
        return Response({"marked": marked})
