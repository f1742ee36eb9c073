from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncentivesConfig(AppConfig):
    name = "incentives"
    verbose_name = _("激励")

    def ready(self) -> None:
        # Demo data and navigation; nothing below imports this app.
        from collab.navigation import NavEntry, nav_register
        from departments.registry import demo_steps

        from . import permissions
        from .demo.load import load as demo_load

        demo_steps.register(demo_load, order=700)
        nav_register(
            NavEntry(
                _("季度冲刺"),
                "incentives:sprints",
                section="sales",
                order=70,
                capability=permissions.can_view,
            ),
            NavEntry(
                _("提成方案"),
                "incentives:plans",
                section="admin",
                order=70,
                capability=permissions.sees_all_figures,
            ),
        )
