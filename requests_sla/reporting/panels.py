"""Panels an app above requests_sla adds to the ops dashboard (finance's
collections) without requests_sla importing it, in the style of
pipeline/panels.py: the higher app registers ``render(request) -> str``
(safe HTML built from a template, or "" for nothing) under a name in its
``AppConfig.ready()``; the dashboard draws them in ``order``. Registering a
name again replaces it (a second ready() never duplicates)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_panels: dict[str, tuple[int, Callable[[Any], str]]] = {}


def dashboard_panel_register(name: str, render: Callable[[Any], str], order: int) -> None:
    _panels[name] = (order, render)


def dashboard_panels(request) -> str:
    """The registered panels' HTML for this request, in order."""
    entries = sorted(_panels.items(), key=lambda item: (item[1][0], item[0]))
    return "".join(render(request) for _name, (_order, render) in entries)
