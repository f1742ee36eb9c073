"""Who may do what in requirement review: one place, used by services, pages and the API."""

from __future__ import annotations

from typing import Any

from departments.roles import Role

SUBMITTING_DEPARTMENTS = frozenset({"business", "customer_success", "sales_ops"})
ASSESSING_DEPARTMENTS = frozenset({"rnd", "product"})
_MANAGERS = frozenset({Role.OPS_MANAGER, Role.ORG_ADMIN})


def _department_code(membership: Any) -> str | None:
    department = getattr(membership, "department", None)
    return department.code if department is not None else None


def _active(membership: Any) -> bool:
    return membership is not None and membership.is_active


def can_view(membership: Any) -> bool:
    return _active(membership)


def can_submit(membership: Any) -> bool:
    """Business, Customer Success, Sales Ops (and any rep or manager) file requirements."""
    return _active(membership) and (
        membership.role in {Role.SALES_REP, *_MANAGERS}
        or _department_code(membership) in SUBMITTING_DEPARTMENTS
    )


def can_assess(membership: Any) -> bool:
    """R&D and Product Management assess (and merge duplicates)."""
    return (
        _active(membership)
        and membership.role in {Role.DEPT_MEMBER, Role.DEPT_HEAD}
        and _department_code(membership) in ASSESSING_DEPARTMENTS
    )


def can_decide(membership: Any) -> bool:
    """The board records decisions: the ops manager or the head of Business."""
    return _active(membership) and (
        membership.role in _MANAGERS
        or (membership.role == Role.DEPT_HEAD and _department_code(membership) == "business")
    )


def can_manage_releases(membership: Any) -> bool:
    return _active(membership) and (
        membership.role in _MANAGERS
        or (
            membership.role == Role.DEPT_HEAD
            and _department_code(membership) in ASSESSING_DEPARTMENTS
        )
    )
