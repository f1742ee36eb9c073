"""The one function that computes a quote's totals, and the rule it follows.

Rounding rule (stated once, tested in tests/test_totals.py): every amount is
rounded to the fen, half up (``collab.money.round_money``), at exactly these
points and nowhere else:

1. a line: ``quantity × unit price × (100 − line discount %) / 100`` → rounded;
2. a bundle block: ``bundle price × sets`` → rounded;
3. subtotal = Σ lines + Σ blocks (exact sums of rounded amounts);
4. order discount = ``(Σ lines + Σ stackable blocks) × order discount % / 100``
   → rounded (a bundle that does not stack is not discounted again);
5. net = subtotal − order discount; tax = ``net × VAT % / 100`` → rounded;
   total = net + tax.

The list total prices every line and every bundle item at its list price; the
discount depth is ``(list total − net) / list total`` in %. The rep's
discount, which the approval limit reads, is measured from what the rep was
allowed to charge without asking: list prices for lines and the published
bundle price for blocks. A line is below its floor when its price after the
line and (stacking) order discounts is lower than the floor price.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from collab.money import round_money

HUNDRED = Decimal(100)


@dataclass(frozen=True)
class LineInput:
    quantity: Decimal
    unit_price: Decimal
    discount_pct: Decimal
    list_price: Decimal
    floor_price: Decimal


@dataclass(frozen=True)
class BlockInput:
    quantity: int
    bundle_price: Decimal
    list_total: Decimal  # one set at list prices
    stackable: bool


@dataclass(frozen=True)
class Totals:
    line_amounts: tuple[Decimal, ...]
    block_amounts: tuple[Decimal, ...]
    list_total: Decimal
    subtotal: Decimal
    order_discount: Decimal
    net_total: Decimal
    tax: Decimal
    total: Decimal
    discount_depth: Decimal
    rep_discount_pct: Decimal
    below_floor: tuple[bool, ...]


def _pct(part: Decimal, whole: Decimal) -> Decimal:
    if whole <= 0:
        return Decimal("0.00")
    return round_money(part * HUNDRED / whole)


def quote_totals(
    lines: Sequence[LineInput],
    blocks: Sequence[BlockInput],
    *,
    order_discount_pct: Decimal,
    vat_rate: Decimal,
) -> Totals:
    """A quote's amounts by the rule in this module's docstring."""
    line_amounts = tuple(
        round_money(li.quantity * li.unit_price * (HUNDRED - li.discount_pct) / HUNDRED)
        for li in lines
    )
    block_amounts = tuple(round_money(b.bundle_price * b.quantity) for b in blocks)
    stackable = sum(line_amounts, Decimal(0)) + sum(
        (a for a, b in zip(block_amounts, blocks, strict=True) if b.stackable), Decimal(0)
    )
    subtotal = sum(line_amounts, Decimal(0)) + sum(block_amounts, Decimal(0))
    order_discount = round_money(stackable * order_discount_pct / HUNDRED)
    net = subtotal - order_discount
    tax = round_money(net * vat_rate / HUNDRED)
    list_total = sum((round_money(li.quantity * li.list_price) for li in lines), Decimal(0)) + sum(
        (round_money(b.list_total * b.quantity) for b in blocks), Decimal(0)
    )
    allowed = sum((round_money(li.quantity * li.list_price) for li in lines), Decimal(0)) + sum(
        block_amounts, Decimal(0)
    )
    order_factor = (HUNDRED - order_discount_pct) / HUNDRED
    below = tuple(
        li.unit_price * (HUNDRED - li.discount_pct) / HUNDRED * order_factor < li.floor_price
        for li in lines
    )
    return Totals(
        line_amounts=line_amounts,
        block_amounts=block_amounts,
        list_total=list_total,
        subtotal=subtotal,
        order_discount=order_discount,
        net_total=net,
        tax=tax,
        total=net + tax,
        discount_depth=_pct(list_total - net, list_total),
        rep_discount_pct=_pct(allowed - net, allowed),
        below_floor=below,
    )
