"""Reads of quotes: the ones a member sees, one quote with its rows, the
open deals a rep may quote on, the quotes report."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, Prefetch, QuerySet

from collab.money import round_money
from pipeline.opportunities.models import Opportunity
from pipeline.opportunities.selectors import opportunities_visible_to
from pricing.permissions import sees_all_quotes
from pricing.quotes.models import Quote, QuoteBundle, QuoteLine, QuoteState
from requests_sla.approvals.models import ApprovalStep


def quotes_visible_to(membership) -> QuerySet[Quote]:
    """Every quote for managers, PM and Finance; a rep's own deals' otherwise."""
    quotes = Quote.objects.select_related("opportunity__account", "created_by")
    if sees_all_quotes(membership):
        return quotes
    return quotes.filter(opportunity__owner_id=membership.user_id)


def quote_with_rows(queryset: QuerySet[Quote], pk: int) -> Quote:
    return queryset.prefetch_related(
        Prefetch("lines", queryset=QuoteLine.objects.order_by("position")),
        Prefetch("bundles", queryset=QuoteBundle.objects.order_by("id")),
    ).get(pk=pk)


def quote_revisions(quote: Quote) -> list[Quote]:
    return list(Quote.objects.filter(number=quote.number).order_by("revision"))


def approval_steps(quote: Quote) -> list[ApprovalStep]:
    if not quote.approval_request_id:
        return []
    return list(
        ApprovalStep.objects.filter(request_id=quote.approval_request_id)
        .select_related("approver")
        .order_by("round", "position")
    )


def quotable_opportunities(membership) -> QuerySet[Opportunity]:
    return (
        opportunities_visible_to(membership)
        .filter(stage__is_won=False, stage__is_lost=False)
        .select_related("account")
        .order_by("name")
    )


def quotes_of_opportunity(opportunity_id: int) -> QuerySet[Quote]:
    return Quote.objects.filter(opportunity_id=opportunity_id).order_by("-number", "-revision")


BANDS = (
    (Decimal(0), Decimal(5)),
    (Decimal(5), Decimal(10)),
    (Decimal(10), Decimal(20)),
    (Decimal(20), Decimal(101)),
)


def quotes_report(membership) -> dict:
    """Quotes by state; average discount depth by rep and by product; win
    rate (accepted of decided) by discount band."""
    quotes = quotes_visible_to(membership)
    by_state = dict(quotes.values_list("state").annotate(n=Count("id")).values_list("state", "n"))
    states = [(label, by_state.get(value, 0)) for value, label in QuoteState.choices]
    depth_by_rep: dict[str, list[Decimal]] = defaultdict(list)
    bands = {band: [0, 0] for band in BANDS}
    rows = quotes.values_list("opportunity__owner__username", "discount_depth", "state")
    for username, depth, state in rows:
        depth_by_rep[username].append(depth)
        if state in (QuoteState.ACCEPTED, QuoteState.DECLINED, QuoteState.EXPIRED):
            band = next(b for b in BANDS if b[0] <= depth < b[1])
            bands[band][1] += 1
            bands[band][0] += state == QuoteState.ACCEPTED
    products = QuoteLine.objects.filter(quote__in=quotes.values("pk")).values_list(
        "name_zh", "name_en", "list_price", "unit_price", "discount_pct"
    )
    depth_by_product: dict[tuple[str, str], list[Decimal]] = defaultdict(list)
    for zh, en, list_price, unit_price, pct in products:
        if list_price:
            net = unit_price * (100 - pct) / 100
            depth_by_product[(zh, en)].append((list_price - net) * 100 / list_price)
    return {
        "states": states,
        "by_rep": sorted((u, _avg(v), len(v)) for u, v in depth_by_rep.items()),
        "by_product": sorted((k, _avg(v), len(v)) for k, v in depth_by_product.items()),
        "bands": [
            (lo, hi, won, decided, round_money(Decimal(won) * 100 / decided) if decided else None)
            for (lo, hi), (won, decided) in bands.items()
        ],
    }


def _avg(values: list[Decimal]) -> Decimal:
    return round_money(sum(values, Decimal(0)) / len(values)) if values else Decimal("0.00")
