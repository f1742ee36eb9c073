"""Helpers of the pricing suites: a catalog, a deal, a quote."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from collab.tenancy import organization_scope
from pipeline.accounts import services as accounts_services
from pipeline.opportunities import services as opportunities_services
from pricing.bundles import services as bundles
from pricing.catalog import services as catalog_services
from pricing.catalog.models import Product

NOW = dt.datetime(2026, 11, 16, 2, 0, tzinfo=dt.UTC)  # Monday 10:00 in Shanghai

# code, zh, en, unit, category, list, floor
PRODUCTS = [
    ("erp-std", "ERP 标准版", "ERP Standard", "set", "licence", "10000.00", "8000.00"),
    ("erp-hr", "人事模块", "HR module", "set", "licence", "3000.00", "2500.00"),
    ("impl-day", "实施服务", "Implementation", "day", "service", "2000.00", "1500.00"),
    ("train", "现场培训", "On-site training", "time", "training", "5000.00", "4000.00"),
    ("support-gold", "金牌支持", "Gold support", "year", "support", "12000.00", "10000.00"),
]


def make_catalog(pm, *, effective_from: dt.date) -> dict:
    with organization_scope(pm.organization_id):
        products = {}
        for code, zh, en, unit, category, _lp, _fp in PRODUCTS:
            products[code] = catalog_services.product_save(
                actor=pm, code=code, name_zh=zh, name_en=en, unit=unit, category=category
            )
        products["erp-hr"].base_product = products["erp-std"]
        products["erp-hr"].save()
        price_list = catalog_services.price_list_create(
            actor=pm, name="2026 标准价", effective_from=effective_from
        )
        for code, *_rest, lp, fp in PRODUCTS:
            catalog_services.price_list_item_set(
                actor=pm,
                price_list=price_list,
                product=products[code],
                list_price=Decimal(lp),
                floor_price=Decimal(fp),
            )
        catalog_services.price_list_publish(actor=pm, price_list=price_list)
        return {"products": products, "price_list": price_list, "pm": pm}


def make_deal(rep, *, name="华信制造", industry="manufacturing", size="large", key=False):
    with organization_scope(rep.organization_id):
        account = accounts_services.account_create(
            actor=rep.user,
            name=name,
            owner=rep.user,
            industry=industry,
            size=size,
            is_key_account=key,
        )
        return opportunities_services.opportunity_create(
            actor=rep.user,
            account=account,
            name="ERP 项目",
            owner=rep.user,
            amount=Decimal("100000"),
            expected_close_date=dt.date(2026, 12, 31),
        )


def make_bundle(pm, products: dict, *, starts_on, ends_on, price="20000.00", publish=True, **kw):
    with organization_scope(pm.organization_id):
        bundle = bundles.bundle_save(
            actor=pm,
            code=kw.pop("code", "q4-sprint"),
            name_zh=kw.pop("name_zh", "Q4 冲刺套餐"),
            name_en="Q4 sprint bundle",
            starts_on=starts_on,
            ends_on=ends_on,
            bundle_price=Decimal(price),
            **kw,
        )
        bundles.bundle_item_set(
            actor=pm, bundle=bundle, product=products["erp-std"], quantity=Decimal(1)
        )
        bundles.bundle_item_set(
            actor=pm, bundle=bundle, product=products["impl-day"], quantity=Decimal(5)
        )
        if publish:
            bundles.bundle_publish(actor=pm, bundle=bundle)
        return bundle


def line(product: Product, quantity="1", unit_price=None, discount="0") -> dict:
    row = {"product": product.pk, "quantity": quantity, "discount_pct": discount}
    if unit_price is not None:
        row["unit_price"] = unit_price
    return row
