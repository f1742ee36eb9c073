"""Panels an app above pipeline adds to the account and deal pages (finance's
risk warnings and receivables) without pipeline importing it: the higher
app registers ``render(request, obj) -> str`` (safe HTML, or "" for nothing)
for a page in its ``AppConfig.ready()``; the page draws them through
``{% pipeline_panels "account" account %}`` (templatetags/pipeline_panels).
``account_flags`` are short flags on the account a new deal or quote is for
(opportunities/flags.py), e.g. finance's payment-risk warning.
The registry is ``collab.panels.PagePanels``, shared with enablement's pages."""

from __future__ import annotations

from collab.panels import PagePanels

PAGES = ("account", "opportunity", "account_flags")
panels = PagePanels(PAGES)
panel_register = panels.register
panels_of = panels.of
