from django.conf import settings


def collab(request):
    membership = getattr(request, "membership", None)
    return {
        "current_organization": getattr(request, "organization", None),
        "current_membership": membership,
        "user_memberships": getattr(request, "memberships", []),
        "caps": _capabilities(membership),
        "LANGUAGES_AVAILABLE": settings.LANGUAGES,
    }


def _capabilities(membership) -> frozenset[str]:
    # The membership model knows its role's capabilities; collab only asks.
    if membership is None or not membership.is_active:
        return frozenset()
    return membership.capabilities
