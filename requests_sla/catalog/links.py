"""Links from a request to the customer or deal it is for: the link kinds,
and the registry the app that owns customers and deals fills.

The link itself is a row of that app (pipeline's ``RequestLink``, real
foreign keys to the request, the account and the deal); requests_sla never
imports it (pipeline sits above). That app plugs in, in its
``AppConfig.ready()``::

    from requests_sla.catalog.links import (
        link_kind_register, link_store_register, link_templates_register,
    )

    link_kind_register("account", check=links.account_check)
    link_kind_register("opportunity", check=links.opportunity_check)
    link_store_register(save=services.request_link_save, read=selectors.request_link_ids)
    link_templates_register(
        picker="pipeline/_link_picker.html", display="pipeline/_request_link.html"
    )

A check is called ``check(value, *, organization_id, actor=None)``: it
raises ``ValidationError`` for an id that is missing, foreign or not visible
to ``actor``, and may return something (the opportunity's check returns the
id of the deal's account). With no check registered an id passes (a schema
checked on its own); with no templates, the filing form and the request page
show the type's own id fields.

The store is called ``save(request, account_id=..., opportunity_id=...)``
inside the filing transaction (after the checks), and ``read(requests)``
returns ``{request pk: LinkIds}`` for the requests that have a link, in one
query. With no store, links are checked but not kept, and every request
reads as unlinked.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from collab.parsing import optional_id

# The form schema's field types that hold a link.
LINK_TYPES = ("account", "opportunity")

_checks: dict[str, Callable[..., Any]] = {}
_customers: dict[str, Callable[..., str]] = {}
_templates = {"picker": "", "display": ""}
_store: dict[str, Callable[..., Any] | None] = {"save": None, "read": None}


@dataclass(frozen=True)
class LinkIds:
    """The ids a request is linked to (what the API shows as ``account_id``
    and ``opportunity_id``)."""

    account_id: int | None = None
    opportunity_id: int | None = None

    def __bool__(self) -> bool:
        return bool(self.account_id or self.opportunity_id)


NO_LINK = LinkIds()


def link_kind_register(
    kind: str, *, check: Callable[..., Any], customer: Callable[..., str] | None = None
) -> None:
    """``customer(value, *, organization_id, actor)`` names the linked
    customer (or "" when not visible): it fills the ``from_link`` fields."""
    if kind not in LINK_TYPES:
        raise ValueError(f"unknown link kind {kind!r} (one of {LINK_TYPES})")
    _checks[kind] = check
    if customer is not None:
        _customers[kind] = customer


def link_customer_name(kind: str, value: int, *, organization_id: int, actor=None) -> str:
    """The name of the customer a link points at ("" when unknown)."""
    namer = _customers.get(kind)
    return namer(value, organization_id=organization_id, actor=actor) if namer else ""


def link_templates_register(*, picker: str, display: str) -> None:
    """``picker``: the "customer / deal" field of the filing form;
    ``display``: the request page's link to them."""
    _templates.update(picker=picker, display=display)


def link_store_register(
    *, save: Callable[..., None], read: Callable[[list], dict[int, LinkIds]]
) -> None:
    """Where links are kept: ``save`` one request's, ``read`` many at once."""
    _store.update(save=save, read=read)


def link_save(request, *, account_id: int | None, opportunity_id: int | None) -> None:
    """Keep the (checked) link of a request just filed; nothing when both
    are empty. The request carries it as ``link_ids`` from here on."""
    request.link_ids = LinkIds(account_id, opportunity_id)
    save = _store["save"]
    if save is not None and request.link_ids:
        save(request, account_id=account_id, opportunity_id=opportunity_id)


def links_attach(requests: Iterable) -> None:
    """Set ``link_ids`` on each request that lacks it: one query for all."""
    missing = [r for r in requests if getattr(r, "link_ids", None) is None]
    read = _store["read"]
    found = read(missing) if (read is not None and missing) else {}
    for r in missing:
        r.link_ids = found.get(r.pk, NO_LINK)


def links_of(request) -> LinkIds:
    """The customer and deal ids of one request (read once, then carried)."""
    links_attach([request])
    return request.link_ids


def link_checker(kind: str) -> Callable[..., Any] | None:
    return _checks.get(kind)


def link_picker_template() -> str:
    return _templates["picker"]


def link_display_template() -> str:
    return _templates["display"]


@contextlib.contextmanager
def links_overridden(
    *,
    checks: dict[str, Callable[..., Any]] | None = None,
    picker=None,
    display=None,
    store: dict[str, Callable[..., Any] | None] | None = None,
) -> Iterator[None]:
    """Run with other checks, templates or store (tests: a pluggable check,
    a tree without the pipeline's templates, no store)."""
    saved_checks, saved_templates, saved_store = dict(_checks), dict(_templates), dict(_store)
    if store is not None:
        _store.update(save=store.get("save"), read=store.get("read"))
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
        _store.update(saved_store)


def parse_link(value: str) -> tuple[str, int] | None:
    """ "opportunity:34" → ("opportunity", 34); anything else → None."""
    kind, _sep, number = (value or "").partition(":")
    number = optional_id(number)
    if kind in LINK_TYPES and number:
        return kind, number
    return None
