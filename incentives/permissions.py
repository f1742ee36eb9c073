"""Who may do what with sprints, plans and payouts (one place, for pages, API and nav).

* HR (members and head of the hr department), the Business head and the
  organization admin manage sprints, targets, plans and awards, and compute
  payout runs; they see every rep's figures.
* Finance sees every payout run; who approves one is its approval chain's
  pending step (payouts/approval.py ``may_act``), not a role.
* A sales rep sees the sprints they are in, their own targets, attainment and
  commission, and the public leaderboard (attainment and rank only, never
  another rep's commission).
"""

from __future__ import annotations

from typing import Any

from departments.roles import Role
from finance.permissions import is_finance


def _active(membership: Any) -> bool:
    return membership is not None and membership.is_active


def _code(membership: Any) -> str | None:
    department = getattr(membership, "department", None)
    return department.code if department is not None else None


def can_manage(membership: Any) -> bool:
    if not _active(membership):
        return False
    if membership.role == Role.ORG_ADMIN:
        return True
    if membership.role in (Role.DEPT_HEAD, Role.DEPT_MEMBER) and _code(membership) == "hr":
        return True
    return membership.role == Role.DEPT_HEAD and _code(membership) == "business"


def sees_all_figures(membership: Any) -> bool:
    """Managers, Finance and ops managers read every rep's commission."""
    return (
        can_manage(membership)
        or is_finance(membership)
        or (_active(membership) and membership.role == Role.OPS_MANAGER)
    )


def can_view(membership: Any) -> bool:
    return sees_all_figures(membership) or (
        _active(membership) and membership.role == Role.SALES_REP
    )


# --- hiring plans -----------------------------------------------------------------------------
# HR (and the admin) manage headcount requests and hiring plans and read every
# department's; a department's head asks for headcount for their department;
# any other member with a department reads only their department's.


def can_manage_hiring(membership: Any) -> bool:
    if not _active(membership):
        return False
    if membership.role == Role.ORG_ADMIN:
        return True
    return membership.role in (Role.DEPT_HEAD, Role.DEPT_MEMBER) and _code(membership) == "hr"


def can_request_headcount(membership: Any) -> bool:
    return can_manage_hiring(membership) or (
        _active(membership)
        and membership.role == Role.DEPT_HEAD
        and getattr(membership, "department_id", None) is not None
    )


def can_view_hiring(membership: Any) -> bool:
    return can_manage_hiring(membership) or (
        _active(membership) and getattr(membership, "department_id", None) is not None
    )
