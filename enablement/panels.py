"""Panels an app above enablement adds to its pages (finance's cost of a
campaign: the approved expenses booked against it) without enablement
importing it, as pipeline/panels.py does for the account and deal pages:
the higher app registers ``render(request, obj) -> str`` (safe HTML from a
template, or "" for nothing) in its ``AppConfig.ready()``, e.g.
``panel_register("campaign", cost.campaign_panel, order=600)``; the page
draws them through ``{% enablement_panels "campaign" campaign %}``."""

from __future__ import annotations

from collab.panels import PagePanels

PAGES = ("campaign",)
panels = PagePanels(PAGES)
panel_register = panels.register
panels_of = panels.of
