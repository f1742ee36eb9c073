"""Reads of fulfilments and uses, and an asset's effectiveness: the deals
it was used on, their win rate against the organization's over the same
period, and the revenue won (per currency: never summed across currencies)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Q,
    QuerySet,
)

from collab import tenancy
from collab.money import Money, round_money
from enablement.library.models import Asset
from enablement.usage.models import AssetFulfilment, AssetUse
from pipeline.models import Opportunity, Stage
from pipeline.opportunities.selectors import open_deals_matching


def fulfilments_of_request(request) -> QuerySet[AssetFulfilment]:
    return AssetFulfilment.objects.filter(request=request).select_related("asset")


def fulfilments_of_asset(asset: Asset) -> QuerySet[AssetFulfilment]:
    """With the request's reference and title (the asset page's list)."""
    return (
        AssetFulfilment.objects.filter(asset=asset)
        .select_related("request")
        .only(
            *(f.attname for f in AssetFulfilment._meta.concrete_fields),
            "request__number",
            "request__title",
        )
    )


def uses_of_asset(asset: Asset) -> QuerySet[AssetUse]:
    """Latest first, with what a row shows of the deal, the customer and the
    rep (their other columns left in the database: a deal row is wide)."""
    return (
        AssetUse.objects.filter(asset=asset)
        .select_related("account", "opportunity__stage", "used_by")
        .only(
            *(f.attname for f in AssetUse._meta.concrete_fields),
            "account__name",
            "opportunity__name",
            "opportunity__stage__name_zh",
            "opportunity__stage__name_en",
            "used_by__username",
            "used_by__first_name",
            "used_by__last_name",
        )
    )


def uses_on_opportunity(opportunity: Opportunity) -> QuerySet[AssetUse]:
    return AssetUse.objects.filter(opportunity=opportunity).select_related("asset", "used_by")


# The asset page's deal picker shows this many: the member's own latest
# open deals before they type, the best matches after.
DEALS_SHOWN = 8


def deals_to_use_on(membership, asset: Asset, q: str) -> list[Opportunity]:
    """The open deals ``membership`` may attach ``asset`` to: matching ``q``
    (its name or its customer's), or with no ``q`` their own, latest touched
    first; each with ``used`` (the asset is already on it). One query."""
    used = AssetUse.objects.filter(asset=asset, opportunity=OuterRef("pk"))
    return list(open_deals_matching(membership, q).annotate(used=Exists(used))[:DEALS_SHOWN])


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


# The organization's deals used with the asset or moved (closed) since its
# first use, grouped by currency, outcome and which of the two they are; the
# first use rides along, so an asset with no such deal is one query too.
# Written out: built with the ORM, the three subqueries took longer to
# compile than PostgreSQL took to run them (bench/library.py's asset page).
_EFFECTIVENESS_SQL = """
WITH uses AS (
  SELECT opportunity_id, used_at FROM {use}
  WHERE organization_id = %(org)s AND asset_id = %(asset)s
), first_use AS (SELECT min(used_at) AS at FROM uses)
SELECT f.at, g.currency, g.is_won, g.is_lost, g.on_deal, g.since, g.n, g.amount
FROM first_use f
LEFT JOIN LATERAL (
  SELECT o.currency, s.is_won, s.is_lost,
         o.id IN (SELECT opportunity_id FROM uses WHERE opportunity_id IS NOT NULL) AS on_deal,
         coalesce(o.stage_entered_at >= f.at, false) AS since,
         count(*) AS n, sum(o.amount) AS amount
  FROM {opportunity} o JOIN {stage} s ON s.id = o.stage_id
  WHERE o.organization_id = %(org)s
    AND (o.id IN (SELECT opportunity_id FROM uses WHERE opportunity_id IS NOT NULL)
         OR o.stage_entered_at >= f.at)
  GROUP BY 1, 2, 3, 4, 5
) g ON true
ORDER BY g.currency
"""


def effectiveness(asset: Asset) -> Effectiveness:
    """One query (``_EFFECTIVENESS_SQL``), in the organization in scope."""
    sql = _EFFECTIVENESS_SQL.format(
        use=AssetUse._meta.db_table,
        opportunity=Opportunity._meta.db_table,
        stage=Stage._meta.db_table,
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, {"org": tenancy.require_organization_id(), "asset": asset.pk})
        rows = cursor.fetchall()
    out = Effectiveness(since=rows[0][0] if rows else None)
    org_won = org_lost = 0
    revenue: dict[str, Decimal] = {}
    for _first, currency, won, lost, on_deal, since, n, amount in rows:
        if currency is None:  # no deal: only the first use
            continue
        if since:
            org_won += n if won else 0
            org_lost += n if lost else 0
        if not on_deal:
            continue
        out.deals += n
        out.won += n if won else 0
        out.lost += n if lost else 0
        if won:
            revenue[currency] = revenue.get(currency, Decimal(0)) + amount
    out.revenue = [Money(amount, currency) for currency, amount in revenue.items()]
    out.win_rate = _rate(out.won, out.lost)
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
