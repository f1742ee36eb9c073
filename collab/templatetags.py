"""``{% load collab %}``: the one way templates write money and counts.

``{{ deal.amount|money:deal.currency }}`` → "¥2,020,000.00" in Chinese,
"CNY 2,020,000.00" in English (``collab.money.format_money``; no currency
means the default, CNY). ``{{ count|num }}`` → "12,345" (thousands grouped,
as both languages write them). Dates and times go through Django's
``|date:"DATETIME_FORMAT"``, one format per language (``collab/formats``).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import template

from collab.money import DEFAULT_CURRENCY, format_money

register = template.Library()


def _decimal(value) -> Decimal | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


@register.filter
def money(value, currency: str | None = None) -> str:
    return format_money(_decimal(value), currency or DEFAULT_CURRENCY)  # no amount: "—"


@register.filter
def num(value, places: int = 0) -> str:
    number = _decimal(value)
    if number is None:
        return "—" if value in (None, "") else str(value)
    return f"{number:,.{int(places)}f}"
