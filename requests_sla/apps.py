from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from collab.navigation import NavEntry


class RequestsSlaConfig(AppConfig):
    name = "requests_sla"
    verbose_name = _("协作请求与SLA")

    def ready(self) -> None:
        # What requests_sla plugs into the lower apps' registries (the steps of
        # departments, collab's navigation); see docs/ARCHITECTURE.md.
        from collab.navigation import nav_register
        from departments.registry import demo_steps, provisioning_steps

        from .approvals import demo as approvals_demo
        from .approvals import services as approvals
        from .approvals.signed_links import approval_email_lines
        from .catalog.services import catalog_provision
        from .demo import escalation as demo_escalation
        from .demo import history as demo_history
        from .demo import requests as demo_requests
        from .notifications.outbox import email_extra_register
        from .requests.hooks import filed_hook_register, resolve_guard_register
        from .requests.services.filing import request_counter_provision
        from .requests.signed_links import mention_email_lines
        from .sla.services import calendar_provision

        provisioning_steps.register(calendar_provision, order=200)
        provisioning_steps.register(catalog_provision, order=210)
        provisioning_steps.register(request_counter_provision, order=220)
        demo_steps.register(demo_requests.load, order=200)
        demo_steps.register(demo_history.load, order=210)
        demo_steps.register(demo_escalation.load, order=220)
        demo_steps.register(approvals_demo.load, order=230)
        email_extra_register(mention_email_lines)
        email_extra_register(approval_email_lines)
        filed_hook_register(approvals.chain_prepare)
        resolve_guard_register(approvals.resolve_guard)
        nav_register(*nav_entries())


def nav_entries() -> tuple[NavEntry, ...]:
    """requests_sla's pages in the navigation (collab.navigation)."""
    from collab.navigation import NavEntry

    return (
        NavEntry(
            _("新建请求"),
            "requests_sla:new",
            section="work",
            order=10,
            capability="file_requests",
            also_current=("requests_sla:file",),
        ),
        NavEntry(
            _("我的请求"),
            "requests_sla:mine",
            section="work",
            order=20,
            capability="file_requests",
        ),
        NavEntry(
            _("部门队列"),
            "requests_sla:queue",
            section="work",
            order=30,
            capability=("work_queue", "view_all_requests"),
        ),
        NavEntry(
            _("待我审批"),
            "requests_sla:approvals",
            section="work",
            order=35,
            capability="file_requests",  # every role; delegates may be anyone
        ),
        NavEntry(
            _("沟通会"),
            "escalation:meetings",
            section="work",
            order=40,
            capability="view_meetings",
            also_current=("escalation:meeting",),
        ),
        NavEntry(
            _("SLA 看板"),
            "dashboard:index",
            section="reports",
            order=10,
            capability=("view_dashboard", "manage_queue"),
        ),
        NavEntry(
            _("部门考核"),
            "escalation:kpis",
            section="reports",
            order=20,
            capability=("view_all_kpis", "view_own_kpis"),
        ),
        NavEntry(
            _("请求类型"),
            "requests_sla:catalog",
            section="admin",
            order=10,
            capability="manage_catalog",
            also_current=("requests_sla:type_edit",),
        ),
        NavEntry(
            _("工作日历"),
            "requests_sla:calendar",
            section="admin",
            order=20,
            capability="manage_catalog",
        ),
        NavEntry(
            _("升级策略"),
            "escalation:settings",
            section="admin",
            order=40,
            capability="manage_organization",
        ),
    )
