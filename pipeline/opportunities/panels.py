"""Panels a higher app adds to the deal page (pricing's quotes): the app
registers a template in its AppConfig.ready(); the deal page includes each
one with the page's context (``opportunity``, ``request``), in order."""

from __future__ import annotations

_panels: list[str] = []


def deal_panel_register(template_name: str) -> None:
    if template_name not in _panels:
        _panels.append(template_name)


def deal_panels() -> tuple[str, ...]:
    return tuple(_panels)
