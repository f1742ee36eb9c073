"""Panels an app above pipeline adds to the account and deal pages (finance's
risk warnings and receivables) without pipeline importing it: the higher
app registers ``render(request, obj) -> str`` (safe HTML, or "" for nothing)
for a page in its ``AppConfig.ready()``; the page draws them through
``{% pipeline_panels "account" account %}`` (templatetags/pipeline_panels).
``account_flags`` are short flags on the account a new deal or quote is for
(opportunities/flags.py), e.g. finance's payment-risk warning."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

PAGES = ("account", "opportunity", "account_flags")
_panels: dict[str, list[tuple[int, Callable[[Any, Any], str]]]] = {page: [] for page in PAGES}


def panel_register(page: str, render: Callable[[Any, Any], str], *, order: int) -> None:
    entries = _panels[page]
    if all(existing is not render for _order, existing in entries):
        entries.append((order, render))
        entries.sort(key=lambda entry: entry[0])


def panels_of(page: str) -> list[Callable[[Any, Any], str]]:
    return [render for _order, render in _panels.get(page, [])]
