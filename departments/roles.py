"""Roles and what each may do. One table, used by views, APIs and navigation."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    SALES_REP = "sales_rep", _("销售代表")
    DEPT_MEMBER = "dept_member", _("部门成员")
    DEPT_HEAD = "dept_head", _("部门负责人")
    OPS_MANAGER = "ops_manager", _("运营经理")
    ORG_ADMIN = "org_admin", _("企业管理员")


# Capabilities by role. Keep this the only place that maps roles to rights,
# so the UI's navigation and the API's permissions cannot drift apart.
CAPABILITIES: dict[str, frozenset[str]] = {
    Role.SALES_REP: frozenset({"file_requests", "view_pipeline"}),
    Role.DEPT_MEMBER: frozenset({"file_requests", "work_queue"}),
    Role.DEPT_HEAD: frozenset(
        {"file_requests", "work_queue", "manage_queue", "view_meetings", "view_own_kpis"}
    ),
    Role.OPS_MANAGER: frozenset(
        {
            "file_requests",
            "view_all_requests",
            "view_meetings",
            "manage_meetings",
            "view_dashboard",
            "view_all_kpis",
            "view_funnel",
            "view_pipeline",
        }
    ),
    Role.ORG_ADMIN: frozenset(
        {
            "file_requests",
            "view_all_requests",
            "view_meetings",
            "manage_meetings",
            "view_dashboard",
            "view_all_kpis",
            "view_funnel",
            "view_pipeline",
            "manage_organization",
            "manage_catalog",
        }
    ),
}


def role_can(role: str, capability: str) -> bool:
    return capability in CAPABILITIES.get(role, frozenset())
