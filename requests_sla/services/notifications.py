"""Notification delivery: in-app rows are immediate; email and the
organization's webhook go through outbox tables.

* Email: one ``NotificationDelivery`` per notification whose recipient has
  an address, held until the organization's next working minute unless the
  policy allows off-hours email. ``deliveries_flush`` sends the due ones.
* Webhook: one ``WebhookDelivery`` per escalation event (not per recipient:
  a group-chat robot should say it once), JSON signed with HMAC-SHA256,
  retried with exponential backoff recorded on the row (``next_attempt_at``),
  so a lost broker message only delays it until the next flush.

Claims use ``select_for_update(skip_locked=True)``; the state column makes a
second flush a no-op. External effects are at-least-once (a crash between
the POST and the commit re-sends); the event key travels as
``X-Collab-Event-Id`` so a receiver can drop duplicates.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import logging
import time
import urllib.parse
import urllib.request
from collections.abc import Iterable, Sequence

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from collab.tenancy import dangerously_unscoped, organization_scope
from departments.models import Organization
from requests_sla.notifications.models import (
    DeliveryState,
    Notification,
    NotificationDelivery,
    NotificationKind,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookFormat,
)
from requests_sla.sla.calendars import org_calendar
from requests_sla.sla.services import escalation_policy_for

log = logging.getLogger(__name__)
User = get_user_model()

WEBHOOK_MAX_ATTEMPTS = 8
WEBHOOK_BACKOFF_MAX = dt.timedelta(minutes=30)  # far below the broker's visibility timeout
WEBHOOK_TIMEOUT_SECONDS = 5


# ---------------------------------------------------------------- sending


def notifications_send(
    *,
    organization_id: int,
    recipient_ids: Iterable[int],
    kind: str,
    text: str,
    request=None,
    link: str = "",
    at: dt.datetime | None = None,
) -> list[Notification]:
    """In-app notifications for ``recipient_ids`` (one each, in the inbox and
    the header's unread count) and their email deliveries, which go out on
    commit or at the next working minute. ``link`` is the site path to open
    when the notification is not about ``request``."""
    if link and not link.startswith("/"):
        raise ValueError("a notification links to a path on this site")
    created = Notification.objects.bulk_create(
        Notification(
            organization_id=organization_id,
            recipient_id=user_id,
            kind=kind,
            request=request,
            link=link,
            text=text[:300],
            created_at=at or timezone.now(),
        )
        for user_id in sorted(set(recipient_ids))
    )
    deliveries_schedule(created, now=at)
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
    organization_id: int, now: dt.datetime, *, policy=None, calendar=None
) -> dt.datetime:
    """When an email created ``now`` may go out: now, or the next working minute."""
    policy = policy or escalation_policy_for(organization_id)
    if policy.email_off_hours:
        return now
    calendar = calendar or org_calendar(organization_id, now)
    return calendar.next_working_minute(now)


def deliveries_schedule(
    notifications: Sequence[Notification],
    *,
    now: dt.datetime | None = None,
    emails: dict[int, str] | None = None,
    policy=None,
    calendar=None,
    enqueue: bool = True,
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
    release = email_release_at(organization_id, now, policy=policy, calendar=calendar)
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
    events: Iterable[tuple[str, dict]],
    *,
    now: dt.datetime | None = None,
    endpoint=None,
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
    from requests_sla.tasks import deliveries_flush_task

    transaction.on_commit(lambda: deliveries_flush_task.delay(organization_id=organization_id))


# ---------------------------------------------------------------- email


def _email_subject_and_body(notification: Notification, language: str) -> tuple[str, str]:
    with translation.override(language):
        kind = (
            NotificationKind(notification.kind).label
            if notification.kind in NotificationKind.values
            else ""
        )
        subject = f"[Collab] {kind}: {notification.text}"[:200]
        path = notification.link
        if notification.request_id:
            path = f"/requests/{notification.request_id}/"
        link = f"{settings.SITE_URL.rstrip('/')}{path}" if path else ""
        body = "\n\n".join(
            part
            for part in (
                str(kind),
                notification.text,
                link,
                _("此邮件由 Collab 自动发送。"),
            )
            if part
        )
        return subject, body


def _send_email_deliveries(deliveries: list[NotificationDelivery], now: dt.datetime) -> int:
    sent = 0
    for delivery in deliveries:
        notification = delivery.notification
        email = notification.recipient.email
        org = notification.organization
        subject, body = _email_subject_and_body(notification, org.default_language or "zh-hans")
        delivery.attempts += 1
        try:
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [email], fail_silently=False)
        except Exception as exc:  # noqa: BLE001 (any SMTP failure is retried later)
            delivery.last_error = str(exc)[:500]
            if delivery.attempts >= 5:
                delivery.state = DeliveryState.FAILED
            else:
                delivery.deliver_after = now + dt.timedelta(minutes=2**delivery.attempts)
        else:
            delivery.state = DeliveryState.SENT
            delivery.sent_at = now
            sent += 1
        delivery.save(update_fields=["state", "attempts", "sent_at", "last_error", "deliver_after"])
    return sent


# ---------------------------------------------------------------- webhook


def webhook_body(endpoint: WebhookEndpoint, payload: dict) -> dict:
    """The JSON a receiver gets: ours as is, or a robot's text message."""
    if endpoint.format == WebhookFormat.GENERIC:
        return payload
    text = payload.get("text") or json.dumps(payload, ensure_ascii=False)
    if endpoint.format == WebhookFormat.FEISHU:
        body: dict = {"msg_type": "text", "content": {"text": text}}
        if endpoint.secret:
            timestamp = str(int(time.time()))
            key = f"{timestamp}\n{endpoint.secret}".encode()
            body["timestamp"] = timestamp
            body["sign"] = base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()
        return body
    return {"msgtype": "text", "text": {"content": text}}  # DingTalk and WeCom


def webhook_request(endpoint: WebhookEndpoint, delivery: WebhookDelivery) -> urllib.request.Request:
    body = json.dumps(webhook_body(endpoint, delivery.payload), ensure_ascii=False).encode()
    url = endpoint.url
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "Collab-Webhook/1",
        "X-Collab-Event-Id": delivery.event_key,
    }
    timestamp = str(int(time.time() * 1000))
    if endpoint.secret and endpoint.format == WebhookFormat.DINGTALK:
        # DingTalk's robot signs the URL: sign = b64(HMAC-SHA256(secret, "ts\nsecret")).
        digest = hmac.new(
            endpoint.secret.encode(), f"{timestamp}\n{endpoint.secret}".encode(), hashlib.sha256
        )
        sign = urllib.parse.quote_plus(base64.b64encode(digest.digest()))
        url += ("&" if "?" in url else "?") + f"timestamp={timestamp}&sign={sign}"
    elif endpoint.secret:
        signature = hmac.new(
            endpoint.secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256
        )
        headers["X-Collab-Timestamp"] = timestamp
        headers["X-Collab-Signature"] = f"sha256={signature.hexdigest()}"
    return urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310


def webhook_backoff(attempts: int) -> dt.timedelta:
    return min(dt.timedelta(seconds=30 * 2 ** max(attempts - 1, 0)), WEBHOOK_BACKOFF_MAX)


def _post(req: urllib.request.Request) -> int:
    with urllib.request.urlopen(req, timeout=WEBHOOK_TIMEOUT_SECONDS) as response:  # noqa: S310
        return response.status


def _send_webhook_deliveries(deliveries: list[WebhookDelivery], now: dt.datetime) -> int:
    sent = 0
    for delivery in deliveries:
        delivery.attempts += 1
        status = None
        try:
            status = _post(webhook_request(delivery.endpoint, delivery))
            ok = 200 <= status < 300
            error = "" if ok else f"HTTP {status}"
        except Exception as exc:  # noqa: BLE001 (network errors are retried with backoff)
            ok, error = False, str(exc)[:500]
            status = getattr(exc, "code", None)
        delivery.last_status = status
        delivery.last_error = error
        if ok:
            delivery.state, delivery.sent_at = DeliveryState.SENT, now
            sent += 1
        elif delivery.attempts >= WEBHOOK_MAX_ATTEMPTS:
            delivery.state = DeliveryState.FAILED
        else:
            delivery.next_attempt_at = now + webhook_backoff(delivery.attempts)
        delivery.save(
            update_fields=[
                "state",
                "attempts",
                "sent_at",
                "last_status",
                "last_error",
                "next_attempt_at",
            ]
        )
    return sent


# ---------------------------------------------------------------- flush


def deliveries_flush(
    *, organization_id: int, now: dt.datetime | None = None, limit: int = 200
) -> dict:
    """Send the organization's due emails and webhook posts (claimed rows only)."""
    now = now or timezone.now()
    with organization_scope(organization_id), transaction.atomic():
        emails = list(
            NotificationDelivery.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(state=DeliveryState.PENDING, deliver_after__lte=now)
            .select_related("notification__recipient", "notification__organization")
            .order_by("deliver_after", "pk")[:limit]
        )
        hooks = list(
            WebhookDelivery.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(state=DeliveryState.PENDING, next_attempt_at__lte=now)
            .select_related("endpoint")
            .order_by("next_attempt_at", "pk")[:limit]
        )
        return {
            "email": _send_email_deliveries(emails, now),
            "webhook": _send_webhook_deliveries(hooks, now),
        }


def organizations_with_due_deliveries(now: dt.datetime | None = None) -> list[int]:
    """Cross-organization read (partial indexes on pending rows only)."""
    now = now or timezone.now()
    with dangerously_unscoped():
        ids = set(
            NotificationDelivery.unscoped.filter(
                state=DeliveryState.PENDING, deliver_after__lte=now
            )
            .values_list("organization_id", flat=True)
            .distinct()
        )
        ids |= set(
            WebhookDelivery.unscoped.filter(state=DeliveryState.PENDING, next_attempt_at__lte=now)
            .values_list("organization_id", flat=True)
            .distinct()
        )
    return sorted(ids)


def notifications_mark_all_read(*, actor, at: dt.datetime | None = None) -> int:
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


def unread_count(*, organization_id: int, user_id: int) -> int:
    with organization_scope(organization_id):
        return Notification.objects.filter(recipient_id=user_id, read_at__isnull=True).count()
