"""Where a capability above requests/ (approvals) plugs into the request
services without requests/ importing it (docs/ARCHITECTURE.md, registries).

* ``filed``: called as ``hook(request=..., actor=..., at=...)`` by
  ``request_file`` inside its transaction, with the request planned but not
  yet numbered or saved: it does its reads there, outside the organization's
  counter lock, and returns ``None`` (nothing to do) or a callable that
  ``request_file`` calls with no arguments once the request is saved (a
  chain starts with the request).
* ``resolve_guard``: called as ``guard(request=..., actor=...)`` by
  ``request_resolve`` before anything is written; it raises ``ServiceError``
  to refuse (an approval chain not yet complete).
* ``detail_panel``: a template the request page includes in its side column
  (with the page's context: ``obj`` is the request); enablement shows the
  library asset that fulfils a content request there.
* ``co_serving``: a department that also serves the requests of one type
  besides the type's serving department: its members do the serving work
  (acknowledge, milestones, resolve) and see those requests as the serving
  side does; queue management (assign, transfer, reject) stays with the
  serving department. Roadmap registers Product Management for the R&D
  feasibility request that times a requirement's assessment ("R&D / Product
  Management assess it").

Registration is idempotent; ``AppConfig.ready()`` fills the lists.
"""

from __future__ import annotations

from collections.abc import Callable

_filed: list[Callable] = []
_resolve_guards: list[Callable] = []
_detail_panels: list[str] = []
_co_serving: set[tuple[str, str]] = set()


def filed_hook_register(hook: Callable) -> None:
    if hook not in _filed:
        _filed.append(hook)


def resolve_guard_register(guard: Callable) -> None:
    if guard not in _resolve_guards:
        _resolve_guards.append(guard)


def detail_panel_register(template_name: str) -> None:
    if template_name not in _detail_panels:
        _detail_panels.append(template_name)


def detail_panels() -> list[str]:
    return list(_detail_panels)


def filed_prepare(*, request, actor, at) -> list[Callable[[], object]]:
    """Each ``filed`` hook's reads, before the counter lock; what to run after the save."""
    return [then for hook in _filed if (then := hook(request=request, actor=actor, at=at))]


def resolve_guards_run(*, request, actor) -> None:
    for guard in _resolve_guards:
        guard(request=request, actor=actor)


def co_serving_register(*, department: str, request_type: str) -> None:
    """``department`` (a code) also serves requests of ``request_type`` (a code)."""
    _co_serving.add((department, request_type))


def co_served_types(department_code: str | None) -> frozenset[str]:
    """The request types (codes) a department serves besides its own."""
    return frozenset(t for d, t in _co_serving if d == department_code)
