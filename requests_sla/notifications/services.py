"""Notification delivery: in-app rows are immediate; email and the
organization's webhook go through outbox tables.

* Email: one ``NotificationDelivery`` per notification whose recipient has
  an address, held until the organization's next working minute unless the
  policy allows off-hours email. ``outbox.deliveries_flush`` sends the due ones.
* Webhook: one ``WebhookDelivery`` per escalation event (not per recipient:
  a group-chat robot should say it once), JSON signed with HMAC-SHA256,
  retried with exponential backoff recorded on the row (``next_attempt_at``),
  so a lost broker message only delays it until the next flush.

Rows are written here, in the caller's transaction; the flush task is
enqueued on commit (``tasks``), and sending lives in ``outbox``: this module
imports the tasks, the tasks import the outbox, nothing imports back.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from collab import outbound
from collab.errors import ServiceError
from collab.tasks import enqueue_on_commit
from collab.tenancy import organization_scope
from departments.models import Membership, Organization
from requests_sla.notifications.models import (
    Notification,
    NotificationDelivery,
    WebhookDelivery,
    WebhookEndpoint,
)
from requests_sla.notifications.tasks import deliveries_flush_task
from requests_sla.notifications.texts import notification_text
from requests_sla.sla.calendars import org_calendar
from requests_sla.sla.engine.calendar import BusinessCalendar as EngineCalendar
from requests_sla.sla.models import EscalationPolicy
from requests_sla.sla.services import (
    escalation_policy_for,
)

log = logging.getLogger(__name__)
if TYPE_CHECKING:  # requests sit above notifications: a type, not an import
    from requests_sla.requests.models import Request

User = get_user_model()


# ---------------------------------------------------------------- sending


def notifications_send(
    *,
    organization_id: int,
    recipient_ids: Iterable[int],
    kind: str,
    text: str = "",
    params: dict[str, Any] | None = None,
    request: Request | None = None,
    link: str = "",
    at: dt.datetime | None = None,
    language: str = "",
    emails: Mapping[int, str] | None = None,
    release_at: dt.datetime | None = None,
) -> list[Notification]:
    """In-app notifications for ``recipient_ids`` (one each, in the inbox and
    the header's unread count) and their email deliveries, which go out on
    commit or at the next working minute. ``link`` is the site path to open
    when the notification is not about ``request``. ``params`` are the facts
    the text is rendered from in each reader's language (``texts``); ``text``
    defaults to that rendering in the organization's language. ``language``
    (the organization's) and ``emails`` (user id → address, every recipient)
    save their lookups when the caller has them; so does ``release_at``
    (``email_release_at``: when the emails may go out)."""
    if link and not link.startswith("/"):
        raise ValueError("a notification links to a path on this site")
    recipient_ids = sorted(set(recipient_ids))
    if not recipient_ids:
        return []
    params = params or {}
    if not text:
        language = language or organization_language(organization_id)
        with translation.override(language):
            text = notification_text(kind, params, "")
    created = Notification.objects.bulk_create(
        Notification(
            organization_id=organization_id,
            recipient_id=user_id,
            kind=kind,
            request=request,
            link=link,
            params=params,
            text=text[:300],
            created_at=at or timezone.now(),
        )
        for user_id in recipient_ids
    )
    deliveries_schedule(created, now=at, emails=emails, release_at=release_at)
    return created


def notifications_send_many(
    notifications: Sequence[Notification],
    *,
    at: dt.datetime,
    emails: dict[int, str] | None = None,
    policy: EscalationPolicy | None = None,
    calendar: EngineCalendar | None = None,
) -> list[Notification]:
    """Notifications built by the caller, each to its own recipient and text
    (the escalation sweep: one per rung and person), with their email
    deliveries: one INSERT for the rows, one for the outbox. ``emails``,
    ``policy`` and ``calendar`` save the lookups when the caller has them."""
    created = Notification.objects.bulk_create(notifications, batch_size=1000)
    deliveries_schedule(created, now=at, emails=emails, policy=policy, calendar=calendar)
    return created


def organization_language(organization_id: int) -> str:
    """The language of messages written once for a whole organization."""
    language = (
        Organization.objects.filter(pk=organization_id)
        .values_list("default_language", flat=True)
        .first()
    )
    return language or "zh-hans"


# ---------------------------------------------------------------- helpers


def email_release_at(
    organization_id: int,
    now: dt.datetime,
    *,
    policy: EscalationPolicy | None = None,
    calendar: EngineCalendar | None = None,
) -> dt.datetime:
    """When an email created ``now`` may go out: now, or the next working minute."""
    policy = policy or escalation_policy_for(organization_id)
    if policy.email_off_hours:
        return now
    calendar = calendar or org_calendar(organization_id, now)
    release: dt.datetime = calendar.next_working_minute(now)
    return release


def deliveries_schedule(
    notifications: Sequence[Notification],
    *,
    now: dt.datetime | None = None,
    emails: Mapping[int, str] | None = None,
    policy: EscalationPolicy | None = None,
    calendar: EngineCalendar | None = None,
    enqueue: bool = True,
    release_at: dt.datetime | None = None,
) -> list[NotificationDelivery]:
    """Create the email outbox rows of freshly created notifications (same
    organization). ``emails`` maps user id → address when the caller has them."""
    notifications = [n for n in notifications if n.pk]
    if not notifications:
        return []
    now = now or timezone.now()
    organization_id = notifications[0].organization_id
    if emails is None:
        ids = {n.recipient_id for n in notifications}
        emails = dict(User.objects.filter(pk__in=ids).exclude(email="").values_list("pk", "email"))
    release = release_at or email_release_at(organization_id, now, policy=policy, calendar=calendar)
    rows = [
        NotificationDelivery(
            organization_id=organization_id,
            notification_id=n.pk,
            channel="email",
            deliver_after=release,
        )
        for n in notifications
        if emails.get(n.recipient_id)
    ]
    NotificationDelivery.objects.bulk_create(rows, ignore_conflicts=True)
    if enqueue and rows and release <= now:
        _enqueue_flush(organization_id)
    return rows


def webhook_events_schedule(
    organization_id: int,
    events: Iterable[tuple[str, dict[str, Any]]],
    *,
    now: dt.datetime | None = None,
    endpoint: WebhookEndpoint | None = None,
) -> int:
    """Queue ``(event_key, payload)`` pairs for the organization's webhook (if any)."""
    now = now or timezone.now()
    if endpoint is None:
        endpoint = WebhookEndpoint.objects.filter(is_active=True).first()
    if endpoint is None or not endpoint.is_active:
        return 0
    rows = [
        WebhookDelivery(
            organization_id=organization_id,
            endpoint=endpoint,
            event_key=key[:80],
            payload=payload,
            next_attempt_at=now,
        )
        for key, payload in events
    ]
    WebhookDelivery.objects.bulk_create(rows, ignore_conflicts=True)
    if rows:
        _enqueue_flush(organization_id)
    return len(rows)


def _enqueue_flush(organization_id: int) -> None:
    # A broker outage must not fail the action: the rows stay pending and
    # beat's deliveries sweep sends them (collab.tasks.enqueue logs it).
    enqueue_on_commit(deliveries_flush_task, organization_id=organization_id)


def notifications_mark_all_read(*, actor: Membership, at: dt.datetime | None = None) -> int:
    at = at or timezone.now()
    with organization_scope(actor.organization_id), transaction.atomic():
        return Notification.objects.filter(recipient_id=actor.user_id, read_at__isnull=True).update(
            read_at=at
        )


def notifications_settle(*, link: str, at: dt.datetime | None = None) -> int:
    """Mark read, for everyone, the unread notifications that open ``link``
    (in the organization in scope): what they asked for has been done."""
    return Notification.objects.filter(link=link, read_at__isnull=True).update(
        read_at=at or timezone.now()
    )


def notifications_read_for_request(
    *, user_id: int, request_id: int, at: dt.datetime | None = None
) -> int:
    """Opening a request reads the reader's notices about it (organization in scope)."""
    return Notification.objects.filter(
        recipient_id=user_id, request_id=request_id, read_at__isnull=True
    ).update(read_at=at or timezone.now())


def notification_mark_read(
    *, notification: Notification, actor: Membership, at: dt.datetime | None = None
) -> Notification:
    at = at or timezone.now()
    with organization_scope(actor.organization_id), transaction.atomic():
        if notification.recipient_id != actor.user_id:
            raise PermissionDenied(_("你无权执行此操作。"))
        if notification.read_at is None:
            notification.read_at = at
            notification.save(update_fields=["read_at"])
        return notification


def webhook_endpoint_set(
    *,
    actor: Membership,
    url: str,
    format: str = "generic",
    secret: str = "",
    is_active: bool = True,
) -> WebhookEndpoint | None:
    """Set the organization's one outgoing webhook, or remove it (empty
    ``url``). Organization admins only."""
    if not actor.can("manage_organization"):
        raise PermissionDenied(_("你无权执行此操作。"))
    with organization_scope(actor.organization_id), transaction.atomic():
        endpoint = WebhookEndpoint.objects.select_for_update().first()
        if not url:
            if endpoint is not None:
                endpoint.delete()
            return None
        try:
            outbound.check_url(url)  # checked again before every send
        except outbound.UnsafeDestination as exc:
            raise ServiceError(exc.message, field="url") from None
        endpoint = endpoint or WebhookEndpoint(organization_id=actor.organization_id)
        endpoint.url, endpoint.format, endpoint.secret = url, format, secret
        endpoint.is_active = is_active
        endpoint.full_clean(exclude=["organization"])
        endpoint.save()
        return endpoint
