"""Reads that cross relations."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from .models import Department, Membership, Organization
from .roles import Role


def memberships_of_user(user) -> QuerySet[Membership]:
    """A user's active memberships in every organization.

    This is the one legitimate cross-organization read of memberships: it is
    how the tenancy middleware decides which organizations a user may enter.
    """
    return (
        Membership.unscoped.filter(user=user, is_active=True, organization__isnull=False)
        .select_related("organization", "department")
        .order_by("organization__name")
    )


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


def organization_for_user(user, organization_id: int | None) -> Organization | None:
    memberships = memberships_of_user(user)
    if organization_id is not None:
        chosen = next((m for m in memberships if m.organization_id == organization_id), None)
        if chosen:
            return chosen.organization
    first = memberships.first()
    return first.organization if first else None
