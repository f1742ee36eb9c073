"""The outboxes: send the due emails and webhook posts of one organization.

Claims use ``select_for_update(skip_locked=True)``; the state column makes a
second flush a no-op. External effects are at-least-once (a crash between
the POST and the commit re-sends); the event key travels as
``X-Collab-Event-Id`` so a receiver can drop duplicates. Webhook posts
retry with exponential backoff recorded on the row (``next_attempt_at``),
so a lost broker message only delays one until the next flush."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import time
import urllib.parse
import urllib.request
from collections.abc import Callable

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from collab import outbound
from collab.signed_links import site_url
from collab.tenancy import dangerously_unscoped, organization_scope
from departments.models import UserProfile
from requests_sla.notifications.models import (
    DeliveryState,
    Notification,
    NotificationDelivery,
    NotificationKind,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookFormat,
)

WEBHOOK_MAX_ATTEMPTS = 8


WEBHOOK_BACKOFF_MAX = dt.timedelta(minutes=30)  # far below the broker's visibility timeout


WEBHOOK_TIMEOUT_SECONDS = 5


# Lines an app above adds to a notification's email (requests_sla.requests:
# signed, expiring download links of the attachments of the comment that
# mentioned the recipient). Registered in RequestsSlaConfig.ready().
_email_extras: list[Callable[[Notification], list[str]]] = []


def email_extra_register(provider: Callable[[Notification], list[str]]) -> None:
    if provider not in _email_extras:
        _email_extras.append(provider)


def _email_subject_and_body(notification: Notification, language: str) -> tuple[str, str]:
    with translation.override(language):
        kind = (
            NotificationKind(notification.kind).label
            if notification.kind in NotificationKind.values
            else ""
        )
        text = notification.display_text
        subject = f"[Collab] {kind}: {text}"[:200]
        path = notification.link
        if notification.request_id:
            path = f"/requests/{notification.request_id}/"
        link = site_url(path) if path else ""
        extras = "\n".join(line for provider in _email_extras for line in provider(notification))
        body = "\n\n".join(
            part
            for part in (
                str(kind),
                text,
                link,
                extras,
                _("此邮件由 Collab 自动发送。"),
            )
            if part
        )
        return subject, body


def _recipient_languages(deliveries: list[NotificationDelivery]) -> dict[int, str]:
    """Each recipient's stored language (their profile), in one query."""
    ids = {d.notification.recipient_id for d in deliveries}
    if not ids:
        return {}
    return dict(
        UserProfile.objects.filter(user_id__in=ids)
        .exclude(language="")
        .values_list("user_id", "language")
    )


def _send_email_deliveries(deliveries: list[NotificationDelivery], now: dt.datetime) -> int:
    sent = 0
    languages = _recipient_languages(deliveries)
    for delivery in deliveries:
        notification = delivery.notification
        email = notification.recipient.email
        org = notification.organization
        language = languages.get(notification.recipient_id) or org.default_language or "zh-hans"
        subject, body = _email_subject_and_body(notification, language)
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
    """Through ``collab.outbound``: the address is checked again now (it may
    resolve elsewhere than when it was saved), the connection goes to the
    address checked, and a redirect is not followed."""
    return outbound.post(
        req.full_url, req.data or b"", dict(req.header_items()), timeout=WEBHOOK_TIMEOUT_SECONDS
    )


def _send_webhook_deliveries(deliveries: list[WebhookDelivery], now: dt.datetime) -> int:
    sent = 0
    for delivery in deliveries:
        delivery.attempts += 1
        status = None
        refused = False
        try:
            status = _post(webhook_request(delivery.endpoint, delivery))
            ok = 200 <= status < 300
            error = "" if ok else f"HTTP {status}"
            if 300 <= status < 400:
                error += " (redirects are not followed)"
        except outbound.UnsafeDestination as exc:  # refused before any connection
            ok, error, refused = False, exc.message[:500], True
        except Exception as exc:  # noqa: BLE001 (network errors are retried with backoff)
            ok, error = False, str(exc)[:500]
            status = getattr(exc, "code", None)
        delivery.last_status = status
        delivery.last_error = error
        if ok:
            delivery.state, delivery.sent_at = DeliveryState.SENT, now
            sent += 1
        elif refused or delivery.attempts >= WEBHOOK_MAX_ATTEMPTS:
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
