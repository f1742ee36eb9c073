"""Who may write and read library assets.

Owner departments (Marketing, Product Management, HR) write their own
assets; the organization admin writes any. Everyone reads published and
retired assets; a draft is seen by its owner department (and the admin) only.
Views, APIs and the navigation ask these functions.
"""

from __future__ import annotations

from departments.roles import Role

OWNER_DEPARTMENTS = ("marketing", "product", "hr")
_DEPARTMENT_ROLES = {Role.DEPT_MEMBER, Role.DEPT_HEAD}


def _department_code(membership) -> str | None:
    department = getattr(membership, "department", None)
    return department.code if department is not None else None


def is_admin(membership) -> bool:
    return membership is not None and membership.role == Role.ORG_ADMIN


def can_author(membership) -> bool:
    """May create assets (for their own department; the admin for any owner)."""
    if membership is None or not membership.is_active:
        return False
    if is_admin(membership):
        return True
    return membership.role in _DEPARTMENT_ROLES and _department_code(membership) in (
        OWNER_DEPARTMENTS
    )


def can_edit(membership, asset) -> bool:
    """Writes this asset: a member of its owner department, or the admin."""
    if membership is None or not membership.is_active:
        return False
    if is_admin(membership):
        return True
    return (
        membership.role in _DEPARTMENT_ROLES
        and membership.department_id == asset.owner_department_id
    )


def can_read_library(membership) -> bool:
    return membership is not None and membership.is_active


def _in_departments(membership, codes: tuple[str, ...]) -> bool:
    if membership is None or not membership.is_active:
        return False
    if is_admin(membership):
        return True
    return membership.role in _DEPARTMENT_ROLES and _department_code(membership) in codes


CAMPAIGN_DEPARTMENTS = ("marketing",)
COURSE_DEPARTMENTS = ("product", "hr")


def can_manage_campaigns(membership) -> bool:
    """Plans campaigns and records their responses: Marketing (and the admin)."""
    return _in_departments(membership, CAMPAIGN_DEPARTMENTS)


def can_manage_courses(membership) -> bool:
    """Builds courses, sessions, enrolments: Product Management, HR (and the admin)."""
    return _in_departments(membership, COURSE_DEPARTMENTS)


def can_see_training_overview(membership) -> bool:
    """The HR view (completion by team, overdue enrolments)."""
    return can_manage_courses(membership) or (
        membership is not None and membership.is_active and membership.role == Role.OPS_MANAGER
    )
