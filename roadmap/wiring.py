"""What roadmap plugs into the lower apps' registries (called from ready())."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


def register() -> None:
    from collab.navigation import NavEntry, nav_register
    from departments.registry import demo_steps, provisioning_steps
    from pipeline.panels import panel_register
    from requests_sla.notifications.texts import notification_text_register
    from requests_sla.reporting.panels import dashboard_panel_register
    from requests_sla.requests.hooks import co_serving_register
    from roadmap import demo, permissions
    from roadmap.notices import decision_text
    from roadmap.services.boards import board_settings_provision
    from roadmap.services.clock import ASSESSMENT_TYPE

    provisioning_steps.register(board_settings_provision, order=450)
    demo_steps.register(demo.load, order=450)
    panel_register("opportunity", deal_notes_panel, order=900)
    dashboard_panel_register("roadmap.loop", dashboard_loop_panel, 450)
    notification_text_register("meeting", decision_text)
    # R&D / Product Management assess: Product answers R&D's feasibility
    # request (the assessment's clock) as R&D does.
    co_serving_register(department="product", request_type=ASSESSMENT_TYPE)
    nav_register(
        NavEntry(
            _("需求评审"),
            "roadmap:requirements",
            section="work",
            order=70,
            capability=permissions.can_view,
        ),
        NavEntry(
            _("产品路线图"),
            "roadmap:roadmap",
            section="work",
            order=71,
            capability=permissions.can_view,
        ),
    )


def deal_notes_panel(request, opportunity) -> str:
    """The deal page's 产品动态 (pipeline.panels): the shipped requirements the
    deal backed; nothing when there are none."""
    from django.template.loader import render_to_string

    return render_to_string(
        "roadmap/_deal_notes.html", {"opportunity": opportunity}, request=request
    )


def dashboard_loop_panel(request, filters) -> str:
    """The SLA dashboard's 需求闭环指标 (requests_sla.reporting.panels): the
    roadmap page's loop figures (organization-wide, whatever the period; the
    cached copy, so the dashboard reads nothing more within five minutes)."""
    from django.template.loader import render_to_string

    from roadmap import permissions
    from roadmap.metrics import loop_metrics_cached

    if not permissions.can_view(request.membership):
        return ""
    return render_to_string(
        "roadmap/_dashboard_loop.html",
        {"metrics": loop_metrics_cached(request.organization.pk)},
        request=request,
    )
