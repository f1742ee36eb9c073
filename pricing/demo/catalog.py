"""The demo catalog: products (licences, implementation, training, support
tiers), two published versions of the standard price list (the second
current since ten days ago), a key-account list, a draft for next quarter,
and two bundles for the current quarter. Through the services."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from departments.models import Membership
from pricing.bundles import services as bundles
from pricing.catalog import services as catalog
from pricing.catalog.models import Product

# code, zh, en, unit, category, base, V1 list, V2 list (floor = 80% of list)
PRODUCTS = [
    ("erp-std", "协同 ERP 标准版", "Collab ERP Standard", "set", "licence", None, "48000", "52000"),
    (
        "erp-pro",
        "协同 ERP 专业版",
        "Collab ERP Professional",
        "set",
        "licence",
        None,
        "96000",
        "99000",
    ),
    (
        "erp-hr",
        "人事模块（附加）",
        "HR module (add-on)",
        "set",
        "licence",
        "erp-std",
        "12000",
        "12000",
    ),
    ("crm-seat", "CRM 用户许可", "CRM user licence", "seat", "licence", None, "1200", "1280"),
    (
        "impl-day",
        "实施顾问服务",
        "Implementation consulting",
        "day",
        "service",
        None,
        "2500",
        "2800",
    ),
    ("data-migr", "数据迁移服务", "Data migration", "time", "service", None, "15000", "15000"),
    (
        "train-site",
        "现场培训（2 天）",
        "On-site training (2 days)",
        "time",
        "training",
        None,
        "8000",
        "8000",
    ),
    (
        "train-online",
        "线上培训课程",
        "Online training course",
        "seat",
        "training",
        None,
        "600",
        "500",
    ),
    (
        "sup-std",
        "标准支持（年）",
        "Standard support (year)",
        "year",
        "support",
        None,
        "9600",
        "9600",
    ),
    (
        "sup-gold",
        "金牌支持（年）",
        "Gold support (year)",
        "year",
        "support",
        None,
        "19200",
        "21600",
    ),
]


def _floor(price: str) -> Decimal:
    return (Decimal(price) * Decimal("0.8")).quantize(Decimal("0.01"))


def _prices(pm: Membership, price_list, products, column: int) -> None:
    for row in PRODUCTS:
        catalog.price_list_item_set(
            actor=pm,
            price_list=price_list,
            product=products[row[0]],
            list_price=Decimal(row[column]),
            floor_price=_floor(row[column]),
        )


def catalog_load(pm: Membership, today: dt.date, english: bool) -> dict[str, Product]:
    products: dict[str, Product] = {}
    for code, zh, en, unit, category, base, _v1, _v2 in PRODUCTS:
        products[code] = catalog.product_save(
            actor=pm,
            code=code,
            name_zh=zh,
            name_en=en,
            unit=unit,
            category=category,
            base_product=products.get(base) if base else None,
        )
    label = "Standard" if english else "标准价"
    v1 = catalog.price_list_create(
        actor=pm, name=f"{label} {today.year}", effective_from=today - dt.timedelta(days=180)
    )
    _prices(pm, v1, products, 6)
    catalog.price_list_publish(actor=pm, price_list=v1)
    v2 = catalog.price_list_create(
        actor=pm, name=f"{label} {today.year}", effective_from=today - dt.timedelta(days=10)
    )
    _prices(pm, v2, products, 7)
    catalog.price_list_publish(actor=pm, price_list=v2)
    key = catalog.price_list_create(
        actor=pm,
        name="Key accounts" if english else "重点客户价",
        tier="key_account",
        effective_from=today - dt.timedelta(days=10),
        copy_from=v2,
    )
    catalog.price_list_item_set(
        actor=pm,
        price_list=key,
        product=products["erp-pro"],
        list_price=Decimal("92000"),
        floor_price=Decimal("76000"),
    )
    catalog.price_list_publish(actor=pm, price_list=key)
    draft = catalog.price_list_create(
        actor=pm,
        name=f"{label} {today.year + 1}",
        effective_from=today + dt.timedelta(days=40),
        copy_from=v2,
    )
    catalog.price_list_item_set(
        actor=pm,
        price_list=draft,
        product=products["crm-seat"],
        list_price=Decimal("1350"),
        floor_price=Decimal("1080"),
    )
    return products


def quarter_of(today: dt.date) -> tuple[dt.date, dt.date, str]:
    first_month = (today.month - 1) // 3 * 3 + 1
    start = dt.date(today.year, first_month, 1)
    end = (
        dt.date(today.year + 1, 1, 1)
        if first_month == 10
        else dt.date(today.year, first_month + 3, 1)
    ) - dt.timedelta(days=1)
    return start, end, f"{today.year} Q{(first_month - 1) // 3 + 1}"


def bundles_load(pm: Membership, products, today: dt.date) -> list:
    start, end, label = quarter_of(today)
    sprint = bundles.bundle_save(
        actor=pm,
        code="sprint",
        name_zh=f"{label} 冲刺套餐",
        name_en=f"{label} sprint bundle",
        period_label=label,
        starts_on=start,
        ends_on=end,
        bundle_price=Decimal("68000"),
        stackable=False,
    )
    for code, qty in (("erp-std", 1), ("impl-day", 5), ("train-site", 1)):
        bundles.bundle_item_set(
            actor=pm, bundle=sprint, product=products[code], quantity=Decimal(qty)
        )
    starter = bundles.bundle_save(
        actor=pm,
        code="starter",
        name_zh="新客户入门包",
        name_en="New customer starter pack",
        period_label=label,
        starts_on=start,
        ends_on=end,
        bundle_price=Decimal("24000"),
        customer_kind="new",
        sizes=["small", "medium"],
        stackable=True,
    )
    for code, qty in (("crm-seat", 10), ("train-online", 10), ("sup-std", 1)):
        bundles.bundle_item_set(
            actor=pm, bundle=starter, product=products[code], quantity=Decimal(qty)
        )
    for bundle in (sprint, starter):
        bundles.bundle_publish(actor=pm, bundle=bundle)
    return [sprint, starter]
