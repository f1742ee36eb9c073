"""Who may do what in pricing. Product Management (and the organization
admin) edits products, price lists and bundles; reps quote on the deals they
may edit (pipeline's rule); discount approvals are decided in the approval
chain (Finance's head, then the admin over the chain's threshold)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from departments.roles import Role
from pipeline import permissions as pipeline_permissions

PRODUCT = "product"
FINANCE = "finance"


def _in_department(membership, code: str) -> bool:
    department = getattr(membership, "department", None)
    return (
        membership is not None
        and membership.is_active
        and membership.role in (Role.DEPT_MEMBER, Role.DEPT_HEAD)
        and department is not None
        and department.code == code
    )


def manages_pricing(membership) -> bool:
    """Edit products, price lists and bundles; publish them."""
    return membership is not None and (
        membership.can("manage_organization") or _in_department(membership, PRODUCT)
    )


def can_view_pricing(membership) -> bool:
    return membership is not None and membership.is_active


def can_quote(membership) -> bool:
    return pipeline_permissions.can_sell(membership)


def can_quote_on(membership, opportunity) -> bool:
    return pipeline_permissions.can_edit_opportunity(membership, opportunity)


def sees_all_quotes(membership) -> bool:
    """Read every quote: managers of the pipeline, PM, Finance."""
    return membership is not None and (
        pipeline_permissions.manages_pipeline(membership)
        or manages_pricing(membership)
        or _in_department(membership, FINANCE)
    )


def can_view_quotes(membership) -> bool:
    return can_quote(membership) or sees_all_quotes(membership)


def nav_entries():
    from collab.navigation import NavEntry

    return (
        NavEntry(
            _("报价单"),
            "pricing:quotes",
            section="sales",
            order=40,
            capability=can_view_quotes,
            also_current=("pricing:quote_detail", "pricing:quote_new"),
        ),
        NavEntry(
            _("产品与定价表"),
            "pricing:price_lists",
            section="sales",
            order=41,
            capability=can_view_pricing,
            also_current=("pricing:price_list_detail", "pricing:products"),
        ),
        NavEntry(
            pgettext_lazy("plural", "促销方案"),
            "pricing:bundles",
            section="sales",
            order=42,
            capability=can_view_pricing,
            also_current=("pricing:comparison",),
        ),
    )
