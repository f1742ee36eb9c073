"""Links from a request to the customer or deal it is for."""

from __future__ import annotations

from requests_sla.catalog.form_schema import LINK_TYPES


def parse_link(value: str) -> tuple[str, int] | None:
    """ "opportunity:34" → ("opportunity", 34); anything else → None."""
    kind, _sep, number = (value or "").partition(":")
    if kind in LINK_TYPES and number.isdigit() and int(number) > 0:
        return kind, int(number)
    return None
