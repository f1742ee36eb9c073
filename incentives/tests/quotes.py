"""Accepted quotes for the incentives suites, written straight as rows (the
pricing app's own suites drive its services; here only the lines matter):
products per category, a bundle, a quote accepted on a deal."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from itertools import count

from django.utils import timezone

from collab.tenancy import organization_scope
from pricing.bundles.models import Bundle
from pricing.catalog.models import PriceList, Product
from pricing.quotes.models import Quote, QuoteBundle, QuoteLine, QuoteState

_numbers = count(1)


def product(org_id: int, category: str) -> Product:
    with organization_scope(org_id):
        found, _created = Product.objects.get_or_create(
            organization_id=org_id,
            code=f"p-{category}",
            defaults={"name_zh": category, "unit": "set", "category": category},
        )
        return found


def bundle(org, code: str = "q4-pack", name: str = "Q4 套餐") -> Bundle:
    today = timezone.localdate()
    with organization_scope(org.id):
        found, _created = Bundle.objects.get_or_create(
            organization_id=org.id,
            code=code,
            defaults={
                "name_zh": name,
                "name_en": "Q4 pack",
                "starts_on": today - dt.timedelta(days=90),
                "ends_on": today + dt.timedelta(days=90),
                "bundle_price": Decimal("20000.00"),
                "state": "published",
            },
        )
        return found


def accepted_quote(
    deal,
    lines: list[tuple[str, str]],
    bundles: list[tuple[Bundle, str]] = (),  # type: ignore[assignment]
    *,
    state: str = QuoteState.ACCEPTED,
    decided_days_ago: int = 1,
) -> Quote:
    """A quote on ``deal`` with one line per (category, amount) and one block
    per (bundle, amount), in ``state`` (accepted unless told)."""
    org_id = deal.organization_id
    now = timezone.now()
    with organization_scope(org_id):
        price_list, _created = PriceList.objects.get_or_create(
            organization_id=org_id,
            tier="standard",
            currency="CNY",
            version=1,
            defaults={"name": "标准价", "effective_from": dt.date(2020, 1, 1)},
        )
        quote = Quote.objects.create(
            organization_id=org_id,
            opportunity=deal,
            number=next(_numbers) + 50_000,
            state=state,
            quote_date=timezone.localdate(),
            valid_until=timezone.localdate() + dt.timedelta(days=30),
            price_list=price_list,
            vat_rate=Decimal("13"),
            created_by_id=deal.owner_id,
            created_at=now,
            updated_at=now,
            decided_at=now - dt.timedelta(days=decided_days_ago),
        )
        for position, (category, amount) in enumerate(lines, start=1):
            prod = product(org_id, category)
            QuoteLine.objects.create(
                organization_id=org_id,
                quote=quote,
                position=position,
                product=prod,
                name_zh=prod.name_zh,
                unit="set",
                quantity=Decimal(1),
                list_price=Decimal(amount),
                floor_price=Decimal(amount),
                unit_price=Decimal(amount),
                amount=Decimal(amount),
            )
        for found, amount in bundles:
            QuoteBundle.objects.create(
                organization_id=org_id,
                quote=quote,
                bundle=found,
                name_zh=found.name_zh,
                list_total=Decimal(amount),
                bundle_price=Decimal(amount),
                amount=Decimal(amount),
            )
        return quote
