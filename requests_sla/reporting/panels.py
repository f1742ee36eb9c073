"""Panels an app above requests_sla adds to the SLA dashboard (finance's
collections, roadmap's loop figures) without requests_sla importing it, in the
style of pipeline/panels.py: the higher app registers, in its
``AppConfig.ready()``, ``render(request, filters) -> str`` (safe HTML from a
template, or "" for nothing; ``filters`` are the dashboard's parsed filters)
under a name; the dashboard draws them after its own sections, by ``order``.
Registering a name again replaces it, so a second ready() never duplicates."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Render = Callable[[Any, Any], str]
_panels: dict[str, tuple[int, Render]] = {}


def dashboard_panel_register(name: str, render: Render, order: int) -> None:
    _panels[name] = (order, render)


def dashboard_panels(request, filters) -> list[str]:
    """Each registered panel's markup for this request, in order (empty ones left out)."""
    entries = sorted(_panels.items(), key=lambda item: (item[1][0], item[0]))
    return [html for _name, (_order, render) in entries if (html := render(request, filters))]
