"""Reads of fulfilments and uses, and an asset's effectiveness: the deals
it was used on, their win rate against the organization's over the same
period, and the revenue won (per currency: never summed across currencies)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import (
    BooleanField,
    Count,
    ExpressionWrapper,
    Min,
    Q,
    QuerySet,
    Subquery,
    Sum,
)

from collab.money import Money, round_money
from enablement.library.models import Asset
from enablement.usage.models import AssetFulfilment, AssetUse
from pipeline.models import Opportunity


def fulfilments_of_request(request) -> QuerySet[AssetFulfilment]:
    return AssetFulfilment.objects.filter(request=request).select_related("asset")


def fulfilments_of_asset(asset: Asset) -> QuerySet[AssetFulfilment]:
    return AssetFulfilment.objects.filter(asset=asset).select_related("request")


def uses_of_asset(asset: Asset) -> QuerySet[AssetUse]:
    return AssetUse.objects.filter(asset=asset).select_related(
        "account", "opportunity__stage", "used_by"
    )


def uses_on_opportunity(opportunity: Opportunity) -> QuerySet[AssetUse]:
    return AssetUse.objects.filter(opportunity=opportunity).select_related("asset", "used_by")


def _rate(won: int, lost: int) -> Decimal | None:
    closed = won + lost
    if not closed:
        return None
    return round_money(Decimal(won) * 100 / closed)


@dataclass
class Effectiveness:
    deals: int = 0
    won: int = 0
    lost: int = 0
    win_rate: Decimal | None = None  # percent, of the closed deals it was used on
    org_win_rate: Decimal | None = None  # percent, deals closed since its first use
    revenue: list[Money] = field(default_factory=list)
    since: dt.datetime | None = None


def effectiveness(asset: Asset) -> Effectiveness:
    """One query: the organization's deals used with the asset or moved
    (closed) since its first use, grouped by currency, outcome and which of
    the two they are (each test made once a row); two for an asset with no
    such deal (its first use is then read alone)."""
    uses = AssetUse.objects.filter(asset=asset).order_by()
    first_use = uses.values("asset").annotate(first=Min("used_at")).values("first")[:1]
    on_deal = Q(pk__in=uses.filter(opportunity__isnull=False).values("opportunity_id"))
    since = Q(stage_entered_at__gte=Subquery(first_use))
    rows = list(
        Opportunity.objects.filter(on_deal | since)
        .annotate(
            on_deal=ExpressionWrapper(on_deal, output_field=BooleanField()),
            since=ExpressionWrapper(since, output_field=BooleanField()),
            first=Subquery(first_use),
        )
        .values("currency", "stage__is_won", "stage__is_lost", "on_deal", "since", "first")
        .annotate(n=Count("id"), amount=Sum("amount"))
        .order_by("currency")
    )
    out = Effectiveness()
    org_won = org_lost = 0
    revenue: dict[str, Decimal] = {}
    for row in rows:
        out.since = row["first"]
        won, lost = row["stage__is_won"], row["stage__is_lost"]
        if row["since"]:
            org_won += row["n"] if won else 0
            org_lost += row["n"] if lost else 0
        if not row["on_deal"]:
            continue
        out.deals += row["n"]
        out.won += row["n"] if won else 0
        out.lost += row["n"] if lost else 0
        if won:
            revenue[row["currency"]] = revenue.get(row["currency"], Decimal(0)) + row["amount"]
    out.revenue = [Money(amount, currency) for currency, amount in revenue.items()]
    out.win_rate = _rate(out.won, out.lost)
    if not rows:
        out.since = uses.aggregate(first=Min("used_at"))["first"]
    if out.since is not None:
        out.org_win_rate = _rate(org_won, org_lost)
    return out


def suggestions_for(opportunity: Opportunity, *, limit: int = 5) -> list[Asset]:
    """Published assets for this deal: its industry (or any), its stage (or
    any), not yet used on it; those used on most deals first (tag overlap
    ranked by use, no learning). One query."""
    industry = opportunity.account.industry
    stage = opportunity.stage.code
    return list(
        Asset.objects.filter(status="published")
        .filter(Q(industry=industry) | Q(industry=""))
        .filter(Q(stages__contains=[stage]) | Q(stages=[]))
        .exclude(uses__opportunity=opportunity)
        .annotate(
            n_uses=Count("uses"),
            industry_hit=ExpressionWrapper(Q(industry=industry), output_field=BooleanField()),
        )
        .order_by("-industry_hit", "-n_uses", "-updated_at")[:limit]
    )
