from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncentivesConfig(AppConfig):
    name = "incentives"
    verbose_name = _("激励")

    def ready(self) -> None:
        # Demo data, navigation and the approvals' "flow decided" hook (a
        # decided chain freezes or returns its payout run); nothing below
        # imports this app.
        from collab.navigation import NavEntry, nav_register
        from departments.registry import demo_steps
        from requests_sla.approvals.hooks import decided_hook_register

        from . import permissions
        from .demo.load import load as demo_load
        from .payouts.approval import payout_approval_decided

        demo_steps.register(demo_load, order=700)
        decided_hook_register(payout_approval_decided)
        nav_register(
            NavEntry(
                _("季度冲刺"),
                "incentives:sprints",
                section="sales",
                order=70,
                capability=permissions.can_view,
            ),
            NavEntry(
                _("招聘计划"),
                "incentives:hiring",
                section="work",
                order=75,
                capability=permissions.can_view_hiring,
            ),
            NavEntry(
                _("提成方案"),
                "incentives:plans",
                section="admin",
                order=70,
                capability=permissions.sees_all_figures,
            ),
        )
