"""Reads of the catalog: the price list current on a date, a quote's prices."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q

from pricing.catalog.models import PriceList, PriceListItem, PriceListState, PricingPolicy, Tier


@dataclass(frozen=True)
class Price:
    list_price: Decimal
    floor_price: Decimal
    price_list_id: int


def price_list_current(
    *, on: dt.date, currency: str, tier: str = Tier.STANDARD
) -> PriceList | None:
    """The one published list of ``tier`` and ``currency`` in effect on ``on``."""
    return (
        PriceList.objects.filter(
            state=PriceListState.PUBLISHED,
            tier=tier,
            currency=currency,
            effective_from__lte=on,
        )
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=on))
        .order_by("-effective_from", "-version")
        .first()
    )


def prices_on(
    *, on: dt.date, currency: str, key_account: bool, product_ids: Iterable[int] | None = None
) -> tuple[PriceList | None, dict[int, Price]]:
    """The standard list current on ``on`` and every product's price from it,
    overridden by the key-account list's where the customer is a key account."""
    standard = price_list_current(on=on, currency=currency)
    lists = [standard] if standard else []
    if key_account:
        override = price_list_current(on=on, currency=currency, tier=Tier.KEY_ACCOUNT)
        if override is not None:
            lists.append(override)
    items = PriceListItem.objects.filter(price_list__in=[pl.pk for pl in lists])
    if product_ids is not None:
        items = items.filter(product_id__in=list(product_ids))
    prices: dict[int, Price] = {}
    # Standard first, the key-account list second: the override wins.
    order = {pl.pk: index for index, pl in enumerate(lists)}
    rows = sorted(
        items.values_list("price_list_id", "product_id", "list_price", "floor_price"),
        key=lambda row: order[row[0]],
    )
    for list_id, product_id, list_price, floor_price in rows:
        prices[product_id] = Price(list_price, floor_price, list_id)
    return standard, prices


def policy_of(organization_id: int) -> PricingPolicy:
    policy = PricingPolicy.objects.filter(organization_id=organization_id).first()
    return policy or PricingPolicy(organization_id=organization_id)
