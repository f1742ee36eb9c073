"""How a deal's value divides by product category and bundle: the lines of
its accepted quote (the latest accepted, by decision time).

Each quote line's amount weighs for its product's category, each bundle
block's amount for its bundle; parts with no weight are dropped. An amount
credited on the deal (its value, or a payment) is divided in proportion,
in the order (categories by code, then bundles by id), by cumulative
rounding to the fen: part *i* gets ``round(A × W≤i / W) − round(A × W<i / W)``,
so the parts add up to the amount exactly. ``split`` does it on values,
``PARTS_SQL`` in PostgreSQL with the same order and rounding (numeric
arithmetic is exact, and ``round`` goes half away from zero as
``round_money`` does).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, localcontext

from django.db.models import F, Sum

from collab.money import round_money
from pricing.quotes.models import Quote, QuoteBundle, QuoteLine, QuoteState


@dataclass(frozen=True)
class Part:
    category: str  # a product category code, or "" for a bundle
    bundle_id: int | None
    weight: Decimal

    @property
    def order(self) -> tuple[int, str]:
        return (self.bundle_id or 0, self.category)


def deal_parts(opportunity_ids: Iterable[int | None]) -> dict[int, list[Part]]:
    """Each deal's parts from its accepted quote (three queries); a deal
    without one is absent."""
    ids = sorted({pk for pk in opportunity_ids if pk is not None})
    if not ids:
        return {}
    quotes = dict(
        Quote.objects.filter(opportunity_id__in=ids, state=QuoteState.ACCEPTED)
        .order_by("opportunity_id", F("decided_at").desc(nulls_last=True), "-id")
        .distinct("opportunity_id")
        .values_list("id", "opportunity_id")
    )
    if not quotes:
        return {}
    out: dict[int, list[Part]] = defaultdict(list)
    for row in (
        QuoteLine.objects.filter(quote_id__in=list(quotes))
        .values("quote_id", "product__category")
        .annotate(w=Sum("amount"))
        .order_by()
    ):
        if row["w"] > 0:
            out[quotes[row["quote_id"]]].append(Part(row["product__category"], None, row["w"]))
    for row in (
        QuoteBundle.objects.filter(quote_id__in=list(quotes))
        .values("quote_id", "bundle_id")
        .annotate(w=Sum("amount"))
        .order_by()
    ):
        if row["w"] > 0:
            out[quotes[row["quote_id"]]].append(Part("", row["bundle_id"], row["w"]))
    return {opp: sorted(parts, key=lambda p: p.order) for opp, parts in out.items()}


def split(amount: Decimal, parts: Iterable[Part]) -> list[tuple[Part | None, Decimal]]:
    """The amount divided over the parts (cumulative rounding); the whole
    amount as one part ``None`` when there are none."""
    ordered = sorted(parts, key=lambda p: p.order)
    total = sum((p.weight for p in ordered), Decimal(0))
    if not ordered or total <= 0:
        return [(None, amount)]
    out: list[tuple[Part | None, Decimal]] = []
    upto, before = Decimal(0), Decimal("0.00")
    with localcontext() as ctx:
        ctx.prec = 50
        for part in ordered:
            upto += part.weight
            reached = round_money(amount * upto / total)
            out.append((part, reached - before))
            before = reached
    return out


# The parts of the deals listed by the CTE ``{deals}`` (column
# ``opportunity_id``), as CTEs ``accepted``, ``weights`` and ``parts`` (with
# the cumulative weight ``upto``, the deal's ``total`` and the order ``n``).
PARTS_SQL = """
accepted AS (
    SELECT DISTINCT ON (q.opportunity_id) q.opportunity_id, q.id
    FROM pricing_quote q
    WHERE q.organization_id = %(org)s AND q.state = 'accepted'
        AND q.opportunity_id IN (SELECT opportunity_id FROM {deals})
    ORDER BY q.opportunity_id, q.decided_at DESC NULLS LAST, q.id DESC
),
weights AS (
    SELECT a.opportunity_id, p.category::text AS category, NULL::bigint AS bundle_id,
        sum(l.amount) AS w
    FROM accepted a JOIN pricing_quoteline l ON l.quote_id = a.id
    JOIN pricing_product p ON p.id = l.product_id
    GROUP BY a.opportunity_id, p.category HAVING sum(l.amount) > 0
    UNION ALL
    SELECT a.opportunity_id, '', b.bundle_id, sum(b.amount)
    FROM accepted a JOIN pricing_quotebundle b ON b.quote_id = a.id
    GROUP BY a.opportunity_id, b.bundle_id HAVING sum(b.amount) > 0
),
parts AS (
    SELECT w.opportunity_id, w.category, w.bundle_id, w.w,
        sum(w.w) OVER (PARTITION BY w.opportunity_id
            ORDER BY coalesce(w.bundle_id, 0), w.category COLLATE "C"
            ROWS UNBOUNDED PRECEDING) AS upto,
        sum(w.w) OVER (PARTITION BY w.opportunity_id) AS total,
        row_number() OVER (PARTITION BY w.opportunity_id
            ORDER BY coalesce(w.bundle_id, 0), w.category COLLATE "C") AS n
    FROM weights w
)"""

# A part's share of an amount ``{amount}`` (rows of ``parts`` as ``k``).
SHARE_SQL = "round({amount} * k.upto / k.total, 2) - round({amount} * (k.upto - k.w) / k.total, 2)"
