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
