"""What roadmap plugs into the lower apps' registries (called from ready())."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


def register() -> None:
    from collab.navigation import NavEntry, nav_register
    from departments.registry import provisioning_steps
    from roadmap import permissions
    from roadmap.services.boards import board_settings_provision

    provisioning_steps.register(board_settings_provision, order=450)
    nav_register(
        NavEntry(
            _("需求评审"),
            "roadmap:requirements",
            section="work",
            order=70,
            capability=permissions.can_view,
        ),
    )
