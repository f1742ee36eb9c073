"""Who approves a step: the definition's approver (a role, a department's
head, the organization admin), then the approver's delegation on that day."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from departments.models import Membership
from departments.roles import Role
from requests_sla.approvals.models import (
    ApprovalDelegation,
    ApprovalStep,
    ApprovalStepDefinition,
    ApproverKind,
)


def _first_user(**filters) -> int | None:
    return (
        Membership.objects.filter(is_active=True, **filters)
        .order_by("pk")
        .values_list("user_id", flat=True)
        .first()
    )


def approver_for(definition: ApprovalStepDefinition | ApprovalStep | None, request) -> int | None:
    """The user id who approves ``definition`` (a chain's step, or a flow's
    step carrying its copy) for ``request``; the organization admin when the
    named approver does not exist (a department without a head, a role no one
    holds); None when nobody can."""
    user_id = None
    if definition is not None:
        kind = definition.approver_kind
        if kind == ApproverKind.ROLE and definition.role:
            extra = {"department_id": definition.department_id} if definition.department_id else {}
            user_id = _first_user(role=definition.role, **extra)
        elif kind == ApproverKind.DEPARTMENT_HEAD:
            department_id = definition.department_id or request.requesting_department_id
            if department_id:
                user_id = _first_user(role=Role.DEPT_HEAD, department_id=department_id)
    return user_id or _first_user(role=Role.ORG_ADMIN)


def local_date(at: dt.datetime) -> dt.date:
    return timezone.localdate(at)


def delegation_on(user_id: int, on: dt.date) -> ApprovalDelegation | None:
    """The delegation ``user_id`` named for the date ``on`` (its delegate must
    still be an active member; one hop only, never a delegate's delegate)."""
    delegation = (
        ApprovalDelegation.objects.filter(delegator_id=user_id, starts_on__lte=on, ends_on__gte=on)
        .order_by("-starts_on")
        .first()
    )
    if delegation is None:
        return None
    if not Membership.objects.filter(user_id=delegation.delegate_id, is_active=True).exists():
        return None
    return delegation
