"""Per-request tenancy, timezone and language."""

from __future__ import annotations

import zoneinfo

from django.conf import settings
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers

from collab import tenancy
from collab.registry import memberships_of_user

SESSION_KEY = "organization_id"
# The user's stored language, copied into the session at sign-in and when
# they choose one, so no page pays a query for it.
LANGUAGE_SESSION_KEY = "collab_language"
HEADER = "HTTP_X_ORGANIZATION"


class OrganizationRequired(Exception):
    """A token client belongs to several organizations and named none."""

    def __init__(self, memberships) -> None:
        super().__init__("X-Organization required")
        self.memberships = memberships


def resolve_membership(request, user, *, explicit: bool = False):
    """Choose the membership this request acts through.

    The X-Organization header (by slug or id) wins; a header naming an
    organization the user does not belong to resolves to nothing, so every
    scoped lookup then 404s instead of falling back. Without a header:

    * ``explicit`` (token clients): the only membership, or
      ``OrganizationRequired`` when there are several. An API client never
      files into an organization by accident.
    * otherwise (browser sessions): the organization chosen in the session
      (the switcher, or the stored default copied there at sign-in), else
      the membership the user joined first. Joining another organization
      never moves anyone's default.
    """
    # Token clients render no page: no header notice, no invitation count.
    memberships = list(memberships_of_user(user, invitations=not explicit))
    for membership in memberships:
        membership.user = user  # already loaded: services read actor.user
    request.memberships = memberships
    header = request.META.get(HEADER, "").strip()
    if header:
        return next(
            (m for m in memberships if header in (m.organization.slug, str(m.organization_id))),
            None,
        )
    if explicit:
        if len(memberships) > 1:
            raise OrganizationRequired(memberships)
        return memberships[0] if memberships else None
    wanted = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
    chosen = next((m for m in memberships if m.organization_id == wanted), None)
    return chosen or first_joined(memberships)


def first_joined(memberships):
    return min(memberships, key=lambda m: (m.created_at, m.pk), default=None)


def attach_membership(request, membership) -> None:
    request.membership = membership
    request.organization = membership.organization if membership else None


class TenantMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.memberships = []
        attach_membership(request, None)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            attach_membership(request, resolve_membership(request, user))

        if request.path.startswith("/admin/") and user is not None and user.is_superuser:
            # Django admin is for superusers and deliberately sees every tenant.
            with tenancy.dangerously_unscoped():
                return self.get_response(request)

        org = request.organization
        token = tenancy.set_organization(org.id if org else None)
        try:
            if org is not None:
                with timezone.override(_zone(org.timezone)):
                    return self.get_response(request)
            return self.get_response(request)
        finally:
            tenancy.reset(token)


def _zone(name: str):
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(settings.TIME_ZONE)


class LanguageMiddleware:
    """The language is: the signed-in user's stored choice, else the choice
    made while signed out (the switcher's cookie), else the organization's
    default, else the browser's, else Chinese.

    The cookie follows the stored choice, so the pages after signing out
    stay in the user's language; it is never the source of truth for a
    signed-in user.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = self.choose(request)
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        patch_vary_headers(response, ("Accept-Language", "Cookie"))
        response.headers.setdefault("Content-Language", language)
        stored = self.stored(request)
        if stored and request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) != stored:
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                stored,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                path=settings.LANGUAGE_COOKIE_PATH,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,
                secure=settings.LANGUAGE_COOKIE_SECURE,
                httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            )
        return response

    @staticmethod
    def stored(request) -> str | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not hasattr(request, "session"):
            return None
        value = request.session.get(LANGUAGE_SESSION_KEY)
        return value if value in {code for code, _ in settings.LANGUAGES} else None

    @classmethod
    def choose(cls, request) -> str:
        supported = {code for code, _ in settings.LANGUAGES}
        stored = cls.stored(request)
        if stored:
            return stored
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if chosen in supported:
            return chosen
        org = getattr(request, "organization", None)
        if org is not None and org.default_language in supported:
            return org.default_language
        return translation.get_language_from_request(request)
