"""Panels an app above requests_sla adds to the SLA dashboard (roadmap's
loop figures) without requests_sla importing it: the higher app registers
``render(request, filters) -> str`` (safe HTML, or "" for nothing; ``filters``
are the dashboard's parsed filters) in its ``AppConfig.ready()``; the
dashboard draws the panels after its own sections, by ``order``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_panels: list[tuple[int, Callable[[Any, Any], str]]] = []


def panel_register(render: Callable[[Any, Any], str], *, order: int) -> None:
    if all(existing is not render for _order, existing in _panels):
        _panels.append((order, render))
        _panels.sort(key=lambda entry: entry[0])


def panels_drawn(request, filters) -> list[str]:
    """Each registered panel's markup for this request (the empty ones left out)."""
    return [html for _order, render in _panels if (html := render(request, filters))]
