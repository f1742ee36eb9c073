"""Who may see and write Finance's records (one place, for pages, API and nav).

* Finance (members and head of the finance department) and the organization
  admin write money records: budgets, reservations, payment plans, invoices,
  payments, imports, and acknowledge warnings.
* Department heads see their own department's budgets.
* Reps see the receivables and warnings of their own deals and accounts.
"""

from __future__ import annotations

from typing import Any

from departments.roles import Role
from enablement.permissions import can_manage_campaigns

FINANCE = "finance"


def _code(membership: Any) -> str | None:
    department = getattr(membership, "department", None)
    return department.code if department is not None else None


def is_finance(membership: Any) -> bool:
    if membership is None or not membership.is_active:
        return False
    if membership.role == Role.ORG_ADMIN:
        return True
    return membership.role in (Role.DEPT_HEAD, Role.DEPT_MEMBER) and _code(membership) == FINANCE


def sees_all_finance(membership: Any) -> bool:
    """Finance, the admin and the ops managers read every figure."""
    return is_finance(membership) or (
        membership is not None and membership.is_active and membership.role == Role.OPS_MANAGER
    )


def can_view_budgets(membership: Any) -> bool:
    return sees_all_finance(membership) or (
        membership is not None and membership.is_active and membership.role == Role.DEPT_HEAD
    )


def can_view_receivables(membership: Any) -> bool:
    return sees_all_finance(membership) or (
        membership is not None and membership.is_active and membership.role == Role.SALES_REP
    )


def can_file_expenses(membership: Any) -> bool:
    return membership is not None and membership.is_active and membership.can("file_requests")


def sees_campaign_expenses(membership: Any) -> bool:
    """The expense lines behind a campaign's cost (who filed what): Finance,
    the admin and ops, and Marketing, who run campaigns. Everyone else who
    reads the campaign sees its totals, as they see its budget."""
    return sees_all_finance(membership) or can_manage_campaigns(membership)
