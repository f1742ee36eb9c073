from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PricingConfig(AppConfig):
    name = "pricing"
    verbose_name = _("产品、定价与报价")

    def ready(self) -> None:
        # What pricing plugs into the lower apps' registries: demo steps,
        # navigation, and the approvals' "flow decided" hook (a discount
        # approval moves its quote).
        from collab.navigation import nav_register
        from departments.registry import demo_steps, provisioning_steps
        from pipeline.panels import panel_register
        from requests_sla.approvals.hooks import decided_hook_register
        from requests_sla.notifications.texts import notification_text_register

        from . import permissions
        from .catalog.services import policy_provision
        from .demo import load as demo_load
        from .quotes.approval import quote_approval_decided
        from .quotes.requote import NOTICE_KIND, notice_text
        from .web.panels import deal_quotes_panel

        provisioning_steps.register(policy_provision, order=400)
        demo_steps.register(demo_load, order=400)
        decided_hook_register(quote_approval_decided)
        notification_text_register(NOTICE_KIND, notice_text)
        nav_register(*permissions.nav_entries())
        panel_register("opportunity", deal_quotes_panel, order=700)
