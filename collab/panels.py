"""Page panels a higher app adds to a lower app's page, the house pattern
(docs/ARCHITECTURE.md, registries): the lower app owns a ``PagePanels`` for
its pages (pipeline's account and deal pages, enablement's campaign page);
the higher app registers ``render(request, obj) -> str`` (safe HTML from a
template, or "" for nothing) in its ``AppConfig.ready()``; the page's template
tag joins them in their order. Registering the same render again is a no-op."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Render = Callable[[Any, Any], str]


class PagePanels:
    def __init__(self, pages: tuple[str, ...]) -> None:
        self.pages = pages
        self._panels: dict[str, list[tuple[int, Render]]] = {page: [] for page in pages}

    def register(self, page: str, render: Render, *, order: int) -> None:
        entries = self._panels[page]
        if all(existing is not render for _order, existing in entries):
            entries.append((order, render))
            entries.sort(key=lambda entry: entry[0])

    def of(self, page: str) -> list[Render]:
        return [render for _order, render in self._panels.get(page, [])]

    def html(self, request, page: str, obj) -> str:
        """Every panel of the page for ``obj``, joined (each is safe HTML)."""
        return "".join(render(request, obj) for render in self.of(page))
