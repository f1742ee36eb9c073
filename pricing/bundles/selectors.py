"""Reads of bundles: the active ones and the comparison sheet's rows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from collab.money import round_money
from pipeline.accounts.models import AccountSize, Industry
from pricing.bundles.models import Bundle, BundleItem, BundleState
from pricing.catalog.selectors import prices_on


def bundles_active(on: dt.date) -> QuerySet[Bundle]:
    return Bundle.objects.filter(
        state=BundleState.PUBLISHED, starts_on__lte=on, ends_on__gte=on
    ).order_by("starts_on", "code")


def bundle_list_total(bundle: Bundle, prices) -> Decimal | None:
    """One set of the bundle at list prices; None when an item has no price."""
    total = Decimal(0)
    for item in bundle.items.all():
        price = prices.get(item.product_id)
        if price is None:
            return None
        total += round_money(item.quantity * price.list_price)
    return total


@dataclass(frozen=True)
class ComparisonRow:
    bundle: Bundle
    items: list[BundleItem]
    list_total: Decimal | None
    saving: Decimal | None
    saving_pct: Decimal | None
    industries: str
    sizes: str


def comparison_rows(on: dt.date, currency: str = "CNY") -> list[ComparisonRow]:
    """Each bundle active on ``on`` against buying its items from the standard
    price list current that day. Three queries whatever the number of bundles."""
    bundles = list(
        bundles_active(on)
        .filter(currency=currency)
        .prefetch_related(
            Prefetch("items", queryset=BundleItem.objects.select_related("product").order_by("id"))
        )
    )
    product_ids = {item.product_id for bundle in bundles for item in bundle.items.all()}
    _standard, prices = prices_on(
        on=on, currency=currency, key_account=False, product_ids=product_ids
    )
    industries, sizes = dict(Industry.choices), dict(AccountSize.choices)
    comma = _("、")
    rows = []
    for bundle in bundles:
        list_total = bundle_list_total(bundle, prices)
        saving = None if list_total is None else list_total - bundle.bundle_price
        pct = round_money(saving * 100 / list_total) if saving is not None and list_total else None
        rows.append(
            ComparisonRow(
                bundle=bundle,
                items=list(bundle.items.all()),
                list_total=list_total,
                saving=saving,
                saving_pct=pct,
                industries=comma.join(str(industries.get(i, i)) for i in bundle.industries),
                sizes=comma.join(str(sizes.get(s, s)) for s in bundle.sizes),
            )
        )
    return rows
