from django.conf import settings

from collab.navigation import nav_sections


def collab(request):
    membership = getattr(request, "membership", None)
    return {
        "current_organization": getattr(request, "organization", None),
        "current_membership": membership,
        "user_memberships": getattr(request, "memberships", []),
        "caps": _capabilities(membership),
        # A callable: templates call it only where the navigation is drawn
        # (not in htmx fragments).
        "nav_sections": lambda: nav_sections(membership, _view_name(request)),
        "LANGUAGES_AVAILABLE": settings.LANGUAGES,
    }


def _capabilities(membership) -> frozenset[str]:
    # The membership model knows its role's capabilities; collab only asks.
    if membership is None or not membership.is_active:
        return frozenset()
    return membership.capabilities


def _view_name(request) -> str | None:
    match = getattr(request, "resolver_match", None)
    return match.view_name if match else None
