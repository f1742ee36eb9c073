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

from django.urls import reverse
from django.utils.translation import gettext as _

# LinkExpired and LinkInvalid are this module's too (its views catch them here).
from collab.signed_links import LinkExpired as LinkExpired
from collab.signed_links import LinkInvalid as LinkInvalid
from collab.signed_links import SignedLink, site_url
from departments.models import Membership
from requests_sla.requests import selectors
from requests_sla.requests.models import Comment

SALT = "collab.requests.attachment-link"
DEFAULT_MAX_AGE = 7 * 24 * 3600
LINK = SignedLink(
    salt=SALT, max_age_setting="COLLAB_ATTACHMENT_LINK_MAX_AGE", default_max_age=DEFAULT_MAX_AGE
)


@dataclass(frozen=True)
class LinkClaim:
    attachment_id: int
    user_id: int
    organization_id: int


def max_age() -> int:
    return LINK.max_age()


def attachment_token(attachment, user_id: int) -> str:
    return LINK.dump(a=attachment.pk, u=user_id, o=attachment.organization_id)


def attachment_signed_path(attachment, user_id: int) -> str:
    """The site path of ``attachment``'s download for ``user_id`` (prefix
    ``settings.SITE_URL`` for an email)."""
    return reverse("requests_sla:attachment_signed", args=[attachment_token(attachment, user_id)])


def attachment_signed_url(attachment, user_id: int) -> str:
    return site_url(attachment_signed_path(attachment, user_id))


def claim_read(token: str) -> LinkClaim:
    """What a link's token says, or ``LinkExpired``/``LinkInvalid``."""
    return LinkClaim(*LINK.load(token, "a", "u", "o"))


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
    days = LINK.valid_days()
    lines = [_("附件（下载链接 %(days)s 天内有效，仅限你本人登录后使用）：") % {"days": days}]
    lines += [
        f"- {a.original_name}: {attachment_signed_url(a, notification.recipient_id)}"
        for a in attachments
    ]
    return lines
