"""Panels an app above pipeline adds to the deal page (the roadmap's notes
of shipped requirements): a template each, included with the page's context,
so pipeline never imports the app that fills it. Filled from AppConfig.ready()."""

from __future__ import annotations

_DEAL_PANELS: list[str] = []


def deal_panel_register(template: str) -> None:
    if template not in _DEAL_PANELS:
        _DEAL_PANELS.append(template)


def deal_panels() -> list[str]:
    return list(_DEAL_PANELS)
