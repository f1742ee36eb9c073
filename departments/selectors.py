"""Reads that cross relations."""

from __future__ import annotations

from django.db.models import Count, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from collab.tenancy import dangerously_unscoped

from .models import ApiToken, Department, Invitation, InvitationState, Membership
from .roles import Role


def memberships_of_user(user, *, invitations: bool = True) -> list[Membership]:
    """A user's active memberships in every organization, by name (the
    switcher's order; the middleware's fallback is the first one joined).

    This is the one legitimate cross-organization read of memberships: it is
    how the tenancy middleware decides which organizations a user may enter.
    With ``invitations`` each row also carries ``pending_invitations``, the
    number of open invitations waiting for the user, so the header's notice
    costs no query of its own; token API clients see no header and skip it
    (its subquery was half this read's cost).
    """
    with dangerously_unscoped("memberships of the signed-in user"):
        memberships = (
            Membership.unscoped.filter(user=user, is_active=True, organization__isnull=False)
            .select_related("organization", "department")
            .order_by("organization__name")
        )
        if invitations:
            memberships = memberships.annotate(
                pending_invitations=Coalesce(Subquery(_open_invitation_count()), 0)
            )
        return list(memberships)


def _open_invitation_count():
    return (
        Invitation.unscoped.filter(
            invitee=OuterRef("user_id"),
            state=InvitationState.PENDING,
            expires_at__gt=timezone.now(),
        )
        .order_by()
        .values("invitee")
        .annotate(n=Count("pk"))
        .values("n")
    )


def invitations_for_user(user) -> list[Invitation]:
    """Open invitations addressed to ``user``, from any organization: the
    invited person's own cross-organization read, as with their memberships
    (evaluated here, on the audited unscoped path)."""
    with dangerously_unscoped("invitations addressed to the signed-in user"):
        return list(
            Invitation.unscoped.filter(
                invitee=user, state=InvitationState.PENDING, expires_at__gt=timezone.now()
            )
            .select_related("organization", "department", "invited_by")
            .order_by("-created_at", "-pk")
        )


def organization_invitations() -> QuerySet[Invitation]:
    """The organization in scope's invitations still pending (expired ones
    too, so an admin sees them and can invite again)."""
    return (
        Invitation.objects.filter(state=InvitationState.PENDING)
        .select_related("invitee", "department", "invited_by")
        .order_by("-created_at", "-pk")
    )


def api_tokens_of(user) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-pk")


def department_directory() -> QuerySet[Department]:
    """Departments of the organization in scope with heads and members."""
    active = (
        Membership.objects.filter(is_active=True)
        .select_related("user")
        .order_by("user__first_name", "user__username")
    )
    return Department.objects.prefetch_related(
        Prefetch("memberships", queryset=active, to_attr="people")
    )


def organization_members() -> QuerySet[Membership]:
    return Membership.objects.select_related("user", "department").order_by(
        "role", "user__username"
    )


def department_heads(department: Department) -> list:
    return [m.user for m in department.memberships.filter(role=Role.DEPT_HEAD, is_active=True)]
