"""Signed, expiring download links for attachments, for emails.

A link in an email is bound to its attachment, its recipient and the
attachment's organization (``django.core.signing``, salted), and expires
after ``COLLAB_ATTACHMENT_LINK_MAX_AGE`` seconds (7 days by default). It is
not a bearer token: the download view still wants the recipient signed in
and still applies the attachment rule (``permissions``), so a forwarded or
leaked link opens nothing for anyone else, and an old one nothing at all.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils.translation import gettext as _

from departments.models import Membership
from requests_sla.requests import selectors
from requests_sla.requests.models import Comment

SALT = "collab.requests.attachment-link"
DEFAULT_MAX_AGE = 7 * 24 * 3600


class LinkExpired(Exception):
    pass


class LinkInvalid(Exception):
    pass


@dataclass(frozen=True)
class LinkClaim:
    attachment_id: int
    user_id: int
    organization_id: int


def max_age() -> int:
    return int(getattr(settings, "COLLAB_ATTACHMENT_LINK_MAX_AGE", DEFAULT_MAX_AGE))


def attachment_token(attachment, user_id: int) -> str:
    return signing.dumps(
        {"a": attachment.pk, "u": user_id, "o": attachment.organization_id}, salt=SALT
    )


def attachment_signed_path(attachment, user_id: int) -> str:
    """The site path of ``attachment``'s download for ``user_id`` (prefix
    ``settings.SITE_URL`` for an email)."""
    return reverse("requests_sla:attachment_signed", args=[attachment_token(attachment, user_id)])


def attachment_signed_url(attachment, user_id: int) -> str:
    return f"{settings.SITE_URL.rstrip('/')}{attachment_signed_path(attachment, user_id)}"


def claim_read(token: str) -> LinkClaim:
    """What a link's token says, or ``LinkExpired``/``LinkInvalid``."""
    try:
        data = signing.loads(token, salt=SALT, max_age=max_age())
    except signing.SignatureExpired:
        raise LinkExpired from None
    except signing.BadSignature:
        raise LinkInvalid from None
    try:
        return LinkClaim(int(data["a"]), int(data["u"]), int(data["o"]))
    except (KeyError, TypeError, ValueError):
        raise LinkInvalid from None


def mention_email_lines(notification) -> list[str]:
    """For the email of a mention: a signed link (for its recipient) to each
    attachment of the comment that mentioned them, under the attachment rule
    as it stands when the email goes out. The comment is the one on the
    notification's request written at the notification's time that mentions
    the recipient (``comment_add`` writes both at one instant)."""
    if notification.kind != "mention" or not notification.request_id:
        return []
    membership = Membership.objects.filter(
        user_id=notification.recipient_id, is_active=True
    ).first()
    if membership is None:
        return []
    comments = Comment.objects.filter(
        request_id=notification.request_id,
        created_at=notification.created_at,
        mentions=notification.recipient_id,
    )
    attachments = list(
        selectors.attachments_visible_to(membership).filter(comment__in=comments).order_by("pk")
    )
    if not attachments:
        return []
    days = max(1, round(max_age() / 86400))
    lines = [_("附件（下载链接 %(days)s 天内有效，仅限你本人登录后使用）：") % {"days": days}]
    lines += [
        f"- {a.original_name}: {attachment_signed_url(a, notification.recipient_id)}"
        for a in attachments
    ]
    return lines
