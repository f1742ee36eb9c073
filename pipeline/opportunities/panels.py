"""Where an app above pipeline adds a panel to the deal page without
pipeline importing it (docs/ARCHITECTURE.md, registries): a template name,
included with the page's context (``opportunity`` is the deal). enablement
shows the library assets used on the deal and the ones it suggests."""

from __future__ import annotations

_panels: list[str] = []


def opportunity_panel_register(template_name: str) -> None:
    if template_name not in _panels:
        _panels.append(template_name)


def opportunity_panels() -> list[str]:
    return list(_panels)
