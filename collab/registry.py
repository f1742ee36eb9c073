"""How collab finds a user's memberships without importing the app that owns them.

collab is the lowest layer; the tenancy middleware needs "the active
memberships of this user" to choose the organization of a request. The app
that owns memberships (departments) registers its lookup in its
``AppConfig.ready()``::

    from collab.registry import memberships_of_user_register

    memberships_of_user_register(selectors.memberships_of_user)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.core.exceptions import ImproperlyConfigured

_memberships_of_user: Callable[..., Iterable] | None = None


def memberships_of_user_register(lookup: Callable[..., Iterable]) -> None:
    """``lookup(user, *, invitations=True)`` returns the user's active
    memberships, each with ``organization`` (and ``department``) loaded;
    ``invitations=False``: without what only pages show (token API clients)."""
    global _memberships_of_user  # noqa: PLW0603 (the registry is this one slot)
    _memberships_of_user = lookup


def memberships_of_user(user, *, invitations: bool = True) -> Iterable:
    if _memberships_of_user is None:
        raise ImproperlyConfigured("no membership lookup registered (departments.apps.ready)")
    return _memberships_of_user(user, invitations=invitations)
