"""Reads of the notification centre: a member's inbox and unread count."""

from __future__ import annotations

from django.db.models import QuerySet

from collab.tenancy import organization_scope
from departments.models import Membership
from requests_sla.notifications.models import (
    Notification,
)


def unread_count(*, organization_id: int, user_id: int) -> int:
    with organization_scope(organization_id):
        return Notification.objects.filter(recipient_id=user_id, read_at__isnull=True).count()


def notifications_for(
    membership: Membership, *, unread_only: bool = False
) -> QuerySet[Notification]:
    qs = Notification.objects.filter(recipient_id=membership.user_id).select_related("request")
    return qs.filter(read_at__isnull=True) if unread_only else qs
