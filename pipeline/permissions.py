"""Who may see and do what on the customer side.

Role capabilities live in ``departments.roles``; the rules here add the ones
that depend on the department too (Sales Ops reads the funnel, Customer
Success creates leads, the business head leads the sales team). Views, APIs
and the navigation (pipeline/apps.py) all ask these functions, so they cannot drift apart.
"""

from __future__ import annotations

import functools

from django.core.exceptions import PermissionDenied

from collab.decorators import membership_required
from departments.roles import Role

SALES_OPS = "sales_ops"
CUSTOMER_SUCCESS = "customer_success"
BUSINESS = "business"
_DEPARTMENT_ROLES = {Role.DEPT_MEMBER, Role.DEPT_HEAD}


def _department_code(membership) -> str | None:
    department = getattr(membership, "department", None)
    return department.code if department is not None else None


def _in_department(membership, code: str) -> bool:
    return (
        membership is not None
        and membership.is_active
        and membership.role in _DEPARTMENT_ROLES
        and _department_code(membership) == code
    )


def is_sales_head(membership) -> bool:
    return (
        membership is not None
        and membership.is_active
        and membership.role == Role.DEPT_HEAD
        and _department_code(membership) == BUSINESS
    )


def manages_pipeline(membership) -> bool:
    """Sees and edits every account and opportunity of the organization."""
    return membership is not None and (
        membership.can("view_funnel")
        or _in_department(membership, SALES_OPS)
        or is_sales_head(membership)
    )


def is_customer_success(membership) -> bool:
    return _in_department(membership, CUSTOMER_SUCCESS)


def sees_all_customers(membership) -> bool:
    """Read access to every account (Customer Success reads, managers edit)."""
    return manages_pipeline(membership) or is_customer_success(membership)


def can_view_pipeline(membership) -> bool:
    return membership is not None and (
        membership.can("view_pipeline") or sees_all_customers(membership)
    )


def can_view_funnel(membership) -> bool:
    """Managers see the whole funnel; a sales rep sees the funnel of their own deals."""
    return manages_pipeline(membership) or (
        membership is not None and membership.can("view_pipeline")
    )


def can_manage_leads(membership) -> bool:
    """Create leads (Customer Success, and the organization admin)."""
    return membership is not None and (
        is_customer_success(membership) or membership.can("manage_organization")
    )


def can_view_leads(membership) -> bool:
    """The leads pages and follow-ups: who creates leads and who decides them."""
    return can_manage_leads(membership) or can_sell(membership)


def can_sell(membership) -> bool:
    """Create and move opportunities (own ones for a rep, any for a manager)."""
    return membership is not None and (
        membership.role == Role.SALES_REP or manages_pipeline(membership)
    )


def can_edit_account(membership, account) -> bool:
    return manages_pipeline(membership) or (
        can_sell(membership) and account.owner_id == membership.user_id
    )


def can_edit_opportunity(membership, opportunity) -> bool:
    return manages_pipeline(membership) or (
        can_sell(membership) and opportunity.owner_id == membership.user_id
    )


def can_decide_lead(membership, lead) -> bool:
    """Accept, reject or convert: the account's owner, or a manager."""
    return manages_pipeline(membership) or (
        can_sell(membership) and lead.account.owner_id == membership.user_id
    )


def pipeline_required(rule):
    """Like ``membership_required`` but for the pipeline's role+department rules."""

    def decorator(view):
        @membership_required()
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if not rule(request.membership):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
