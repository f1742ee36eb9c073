"""Links from a request to the customer or deal it is for: the link kinds,
and the registry the app that owns customers and deals fills.

requests_sla stores the account or opportunity a request is for as ids and
never imports the app that owns them (pipeline sits above it). That app
plugs in, in its ``AppConfig.ready()``::

    from requests_sla.catalog.links import link_kind_register, link_templates_register

    link_kind_register("account", check=links.account_check)
    link_kind_register("opportunity", check=links.opportunity_check)
    link_templates_register(
        picker="pipeline/_link_picker.html", display="pipeline/_request_link.html"
    )

A check is called ``check(value, *, organization_id, actor=None)``: it
raises ``ValidationError`` for an id that is missing, foreign or not visible
to ``actor``, and may return something (the opportunity's check returns the
id of the deal's account). With no check registered an id passes (a schema
checked on its own); with no templates, the filing form and the request page
show the type's own id fields.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

from collab.parsing import optional_id

# The form schema's field types that hold a link.
LINK_TYPES = ("account", "opportunity")

_checks: dict[str, Callable[..., Any]] = {}
_templates = {"picker": "", "display": ""}


def link_kind_register(kind: str, *, check: Callable[..., Any]) -> None:
    if kind not in LINK_TYPES:
        raise ValueError(f"unknown link kind {kind!r} (one of {LINK_TYPES})")
    _checks[kind] = check


def link_templates_register(*, picker: str, display: str) -> None:
    """``picker``: the "customer / deal" field of the filing form;
    ``display``: the request page's link to them."""
    _templates.update(picker=picker, display=display)


def link_checker(kind: str) -> Callable[..., Any] | None:
    return _checks.get(kind)


def link_picker_template() -> str:
    return _templates["picker"]


def link_display_template() -> str:
    return _templates["display"]


@contextlib.contextmanager
def links_overridden(
    *, checks: dict[str, Callable[..., Any]] | None = None, picker=None, display=None
) -> Iterator[None]:
    """Run with other checks or templates (tests: a pluggable check, or a
    tree without the pipeline's templates)."""
    saved_checks, saved_templates = dict(_checks), dict(_templates)
    if checks is not None:
        _checks.clear()
        _checks.update(checks)
    if picker is not None:
        _templates["picker"] = picker
    if display is not None:
        _templates["display"] = display
    try:
        yield
    finally:
        _checks.clear()
        _checks.update(saved_checks)
        _templates.update(saved_templates)


def parse_link(value: str) -> tuple[str, int] | None:
    """ "opportunity:34" → ("opportunity", 34); anything else → None."""
    kind, _sep, number = (value or "").partition(":")
    number = optional_id(number)
    if kind in LINK_TYPES and number:
        return kind, number
    return None
