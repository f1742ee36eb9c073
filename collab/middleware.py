"""Per-request tenancy, timezone and language."""

from __future__ import annotations

import zoneinfo

from django.conf import settings
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers

from collab import tenancy
from collab.registry import memberships_of_user

SESSION_KEY = "organization_id"
HEADER = "HTTP_X_ORGANIZATION"


def resolve_membership(request, user):
    """Choose the membership this request acts through.

    Order: the X-Organization header (API clients, by slug or id), then the
    organization chosen in the session (the switcher), then the first one.
    A header naming an organization the user does not belong to resolves to
    nothing, so every scoped lookup then 404s instead of falling back.
    """
    memberships = list(memberships_of_user(user))
    for membership in memberships:
        membership.user = user  # already loaded: services read actor.user
    request.memberships = memberships
    header = request.META.get(HEADER, "").strip()
    if header:
        return next(
            (m for m in memberships if header in (m.organization.slug, str(m.organization_id))),
            None,
        )
    wanted = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
    chosen = next((m for m in memberships if m.organization_id == wanted), None)
    return chosen or (memberships[0] if memberships else None)


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
    """The language is: the user's explicit choice (cookie from the switcher),
    else the organization's default, else the browser's, else Chinese."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = self.choose(request)
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        patch_vary_headers(response, ("Accept-Language", "Cookie"))
        response.headers.setdefault("Content-Language", language)
        return response

    @staticmethod
    def choose(request) -> str:
        supported = {code for code, _ in settings.LANGUAGES}
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if chosen in supported:
            return chosen
        org = getattr(request, "organization", None)
        if org is not None and org.default_language in supported:
            return org.default_language
        return translation.get_language_from_request(request)
