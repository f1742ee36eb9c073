"""Reads of fulfilments and uses, and an asset's effectiveness: the deals
it was used on, their win rate against the organization's over the same
period, and the revenue won (per currency: never summed across currencies)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import BooleanField, Count, ExpressionWrapper, Min, Q, QuerySet, Sum

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
    """Two queries: the asset's deals by outcome and currency, the organization's."""
    rows = list(
        Opportunity.objects.filter(
            pk__in=AssetUse.objects.filter(asset=asset, opportunity__isnull=False).values(
                "opportunity_id"
            )
        )
        .values("stage__is_won", "stage__is_lost", "currency")
        .annotate(n=Count("id"), amount=Sum("amount"))
        .order_by("currency")
    )
    out = Effectiveness()
    for row in rows:
        out.deals += row["n"]
        if row["stage__is_won"]:
            out.won += row["n"]
            out.revenue.append(Money(row["amount"] or Decimal(0), row["currency"]))
        elif row["stage__is_lost"]:
            out.lost += row["n"]
    out.win_rate = _rate(out.won, out.lost)
    out.since = AssetUse.objects.filter(asset=asset).aggregate(first=Min("used_at"))["first"]
    if out.since is not None:
        org = Opportunity.objects.filter(stage_entered_at__gte=out.since).aggregate(
            won=Count("id", filter=Q(stage__is_won=True)),
            lost=Count("id", filter=Q(stage__is_lost=True)),
        )
        out.org_win_rate = _rate(org["won"], org["lost"])
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
