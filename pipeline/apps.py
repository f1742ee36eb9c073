from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class PipelineConfig(AppConfig):
    name = "pipeline"
    verbose_name = _("销售漏斗与客户成功")

    def ready(self) -> None:
        # What pipeline plugs into the lower apps' registries (the steps of
        # departments, the link kinds of requests_sla, collab's navigation).
        from collab.navigation import NavEntry, nav_register
        from departments.registry import demo_steps, provisioning_steps
        from requests_sla.catalog.links import (
            link_kind_register,
            link_store_register,
            link_templates_register,
        )
        from requests_sla.notifications.texts import notification_text_register

        from . import permissions
        from .demo import customers as demo
        from .demo import links as demo_links
        from .leads.notices import lead_text
        from .links import checks as links
        from .links import selectors as links_selectors
        from .links import services as links_services
        from .opportunities.services import stages_provision

        notification_text_register("lead", lead_text)
        provisioning_steps.register(stages_provision, order=300)
        demo_steps.register(demo.load, order=300)
        demo_steps.register(demo_links.load, order=310)
        link_kind_register("account", check=links.account_check, customer=links.account_customer)
        link_kind_register(
            "opportunity", check=links.opportunity_check, customer=links.opportunity_customer
        )
        link_store_register(
            save=links_services.request_link_save, read=links_selectors.request_link_ids
        )
        link_templates_register(
            picker="pipeline/_link_picker.html", display="pipeline/_request_link.html"
        )
        nav_register(
            NavEntry(
                pgettext_lazy("plural", "商机"),
                "pipeline:opportunities",
                section="sales",
                order=10,
                capability=permissions.can_view_pipeline,
            ),
            NavEntry(
                pgettext_lazy("plural", "客户"),
                "pipeline:accounts",
                section="sales",
                order=20,
                capability=permissions.can_view_pipeline,
            ),
            NavEntry(
                pgettext_lazy("plural", "复购增购线索"),
                "pipeline:leads",
                section="sales",
                order=30,
                capability=permissions.can_view_leads,
            ),
            NavEntry(
                _("销售漏斗"),
                "pipeline:funnel",
                section="reports",
                order=30,
                capability=permissions.can_view_funnel,
            ),
        )
