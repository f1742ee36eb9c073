"""Signed, expiring links for emails: the one mechanism behind each kind.

A kind (an attachment's download, an approval step, ...) is a ``SignedLink``
with its own salt (a token of one kind never opens another) and its own
max-age setting. The token is ``django.core.signing`` of a small dict of
integers; reading it gives those integers back, or raises ``LinkExpired``
(too old) or ``LinkInvalid`` (tampered, another kind's, malformed). A link
is never a bearer token: the page behind it still wants its user signed in.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing


class LinkExpired(Exception):
    pass


class LinkInvalid(Exception):
    pass


class SignedLink:
    def __init__(self, *, salt: str, max_age_setting: str, default_max_age: int) -> None:
        self.salt = salt
        self.max_age_setting = max_age_setting
        self.default_max_age = default_max_age

    def max_age(self) -> int:
        """Seconds a token stays valid (the setting, read on each call)."""
        return int(getattr(settings, self.max_age_setting, self.default_max_age))

    def valid_days(self) -> int:
        """The max age in whole days (at least one), for an email's wording."""
        return max(1, round(self.max_age() / 86400))

    def dump(self, **ids: int) -> str:
        return signing.dumps(ids, salt=self.salt)

    def load(self, token: str, *keys: str) -> tuple[int, ...]:
        """The integers under ``keys`` in ``token``, in that order."""
        try:
            data = signing.loads(token, salt=self.salt, max_age=self.max_age())
        except signing.SignatureExpired:
            raise LinkExpired from None
        except signing.BadSignature:
            raise LinkInvalid from None
        try:
            return tuple(int(data[key]) for key in keys)
        except (KeyError, TypeError, ValueError):
            raise LinkInvalid from None


def site_url(path: str) -> str:
    """``path`` on the site (``settings.SITE_URL``), for an email."""
    return f"{settings.SITE_URL.rstrip('/')}{path}"
