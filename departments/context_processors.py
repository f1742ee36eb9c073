def invitations(request):
    """How many invitations wait for the signed-in person (the header's notice).

    Counted in the same query that loads their memberships
    (``selectors.memberships_of_user``), so no page pays for it.
    """
    memberships = getattr(request, "memberships", None) or []
    count = getattr(memberships[0], "pending_invitations", 0) if memberships else 0
    return {"pending_invitation_count": count or 0}
