"""A step's condition on the request's fields: (field, operator, value).

Never ``eval``: the operator is one of six names. When both sides read as
amounts (``collab.money.parse_amount``: Decimal, no floats) they compare as
Decimals; otherwise only ``eq``/``ne`` apply, as text. A missing or empty
field makes a comparison false (and ``ne`` true)."""

from __future__ import annotations

import operator
from collections.abc import Mapping
from decimal import Decimal

from django.core.exceptions import ValidationError

from collab.money import parse_amount

_COMPARE = {
    "gt": operator.gt,
    "gte": operator.ge,
    "lt": operator.lt,
    "lte": operator.le,
    "eq": operator.eq,
    "ne": operator.ne,
}


def as_amount(value: object) -> Decimal | None:
    if value is None or isinstance(value, (bool, float)):
        return None
    try:
        return parse_amount(value, allow_negative=True)
    except ValidationError:
        return None


def condition_holds(field: str, op: str, value: str, extra: Mapping | None) -> bool:
    """Whether ``extra[field] <op> value``; no condition (empty field) holds."""
    if not field or not op:
        return True
    compare = _COMPARE.get(op)
    if compare is None:
        return False
    raw = (extra or {}).get(field)
    if isinstance(raw, float):  # a "number" field's JSON value: its shortest decimal text
        raw = repr(raw)
    if raw in (None, ""):
        return op == "ne"
    left, right = as_amount(raw), as_amount(value)
    if left is not None and right is not None:
        return compare(left, right)
    if op in ("eq", "ne"):
        return compare(str(raw).strip(), str(value).strip())
    return False


def condition_valid(op: str, value: str) -> bool:
    """An ordering operator needs an amount to compare with."""
    if op not in _COMPARE:
        return False
    return op in ("eq", "ne") or as_amount(value) is not None
