"""Reading a quote's lines and bundles from input: every check that refuses
bad input with a field error before anything is written (negative or zero
quantities, negative prices, a product not on the current price list, an
option without its base, a bundle outside its period or for an ineligible
customer, a currency mismatch)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from collab.errors import ServiceError
from collab.money import MAX_AMOUNT, round_money
from pipeline.opportunities.models import Opportunity
from pricing.bundles.models import Bundle, BundleItem
from pricing.bundles.selectors import bundle_list_total
from pricing.bundles.services import bundle_check_eligible
from pricing.catalog.models import PriceList, Product
from pricing.catalog.selectors import Price, prices_on
from pricing.quotes.totals import BlockInput, LineInput

MAX_QUANTITY = Decimal("99999999.99")


@dataclass
class LineDraft:
    product: Product
    quantity: Decimal
    unit_price: Decimal
    discount_pct: Decimal
    price: Price

    def as_input(self) -> LineInput:
        return LineInput(
            self.quantity,
            self.unit_price,
            self.discount_pct,
            self.price.list_price,
            self.price.floor_price,
        )


@dataclass
class BlockDraft:
    bundle: Bundle
    quantity: int
    list_total: Decimal

    def as_input(self) -> BlockInput:
        return BlockInput(
            self.quantity, self.bundle.bundle_price, self.list_total, self.bundle.stackable
        )


def decimal_in(
    value: Any, field: str, *, low: Decimal, high: Decimal, places: int = 2, positive=False
) -> Decimal:
    if isinstance(value, (bool, float)):
        value = repr(value) if isinstance(value, float) else "x"
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ServiceError(_("请输入数字。"), field=field) from None
    if not number.is_finite() or number != round(number, places):
        raise ServiceError(_("请输入最多两位小数的数字。"), field=field)
    if number < low or number > high or (positive and number <= 0):
        raise ServiceError(
            _("数值必须在 %(low)s 与 %(high)s 之间。") % {"low": low, "high": high}, field=field
        )
    return number


def percent_in(value: Any, field: str) -> Decimal:
    return decimal_in(value or 0, field, low=Decimal(0), high=Decimal(100))


@dataclass
class Context:
    opportunity: Opportunity
    on: dt.date
    currency: str
    price_list: PriceList
    prices: dict[int, Price]


def _ids(rows: Sequence[Mapping[str, Any]], *keys: str) -> set[int]:
    ids = set()
    for row in rows:
        value = next((row[k] for k in keys if row.get(k)), None)
        if isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
            ids.add(int(value))
    return ids


def pricing_context(
    opportunity: Opportunity,
    on: dt.date,
    lines: Sequence[Mapping[str, Any]] = (),
    bundles: Sequence[Mapping[str, Any]] = (),
) -> Context:
    """The price list current on ``on`` and the prices of the products the
    quote names (its lines' and its bundles' items): read only those, not
    the whole list."""
    product_ids = _ids(lines, "product", "product_id")
    bundle_ids = _ids(bundles, "bundle", "bundle_id")
    if bundle_ids:
        product_ids |= set(
            BundleItem.objects.filter(bundle_id__in=bundle_ids).values_list("product_id", flat=True)
        )
    key_account = opportunity.account.is_key_account
    standard, prices = prices_on(
        on=on, currency=opportunity.currency, key_account=key_account, product_ids=product_ids
    )
    if standard is None:
        raise ServiceError(
            _("%(date)s 没有生效的 %(currency)s 定价表。")
            % {"date": on.isoformat(), "currency": opportunity.currency},
            field="quote_date",
        )
    return Context(opportunity, on, opportunity.currency, standard, prices)


def lines_in(ctx: Context, rows: Sequence[Mapping[str, Any]]) -> list[LineDraft]:
    ids = []
    for index, row in enumerate(rows):
        try:
            ids.append(int(row.get("product") or row.get("product_id") or 0))
        except (TypeError, ValueError):
            raise ServiceError(
                _("第 %(n)s 行：产品无效。") % {"n": index + 1}, field="lines"
            ) from None
    products = Product.objects.in_bulk(ids)
    drafts = []
    for index, (row, product_id) in enumerate(zip(rows, ids, strict=True)):
        drafts.append(_line_in(ctx, row, products.get(product_id), index + 1))
    present = {d.product.pk for d in drafts}
    for draft in drafts:
        base_id = draft.product.base_product_id
        if base_id and base_id not in present:
            raise ServiceError(
                _("第 %(n)s 行：附加选项“%(name)s”需要同时报价其基础产品。")
                % {"n": drafts.index(draft) + 1, "name": draft.product.name},
                field="lines",
            )
    return drafts


def _line_in(ctx: Context, row: Mapping[str, Any], product: Product | None, n: int) -> LineDraft:
    where = _("第 %(n)s 行：") % {"n": n}
    if product is None or not product.is_active:
        raise ServiceError(where + _("产品不存在或已停售。"), field="lines")
    price = ctx.prices.get(product.pk)
    if price is None:
        raise ServiceError(
            where + _("“%(name)s”不在当前定价表上。") % {"name": product.name}, field="lines"
        )
    try:
        quantity = decimal_in(
            row.get("quantity"), "lines", low=Decimal(0), high=MAX_QUANTITY, positive=True
        )
        raw_price = row.get("unit_price")
        unit_price = (
            price.list_price
            if raw_price in (None, "")
            else decimal_in(raw_price, "lines", low=Decimal(0), high=MAX_AMOUNT)
        )
        discount = percent_in(row.get("discount_pct"), "lines")
    except ServiceError as exc:
        raise ServiceError(where + exc.message, field="lines") from None
    return LineDraft(product, quantity, round_money(unit_price), discount, price)


def blocks_in(
    ctx: Context, rows: Sequence[Mapping[str, Any]], *, existing_customer: bool
) -> list[BlockDraft]:
    account = ctx.opportunity.account
    blocks, seen = [], set()
    for row in rows:
        try:
            bundle_id = int(row.get("bundle") or row.get("bundle_id") or 0)
            quantity = int(row.get("quantity") or 1)
        except (TypeError, ValueError):
            raise ServiceError(_("促销方案无效。"), field="bundle") from None
        bundle = Bundle.objects.filter(pk=bundle_id).first()
        if bundle is None or bundle_id in seen:
            raise ServiceError(_("促销方案无效。"), field="bundle")
        if not 1 <= quantity <= 100000:
            raise ServiceError(_("套数必须是正整数。"), field="bundle")
        if bundle.currency != ctx.currency:
            raise ServiceError(_("促销方案的币种与商机不一致。"), field="bundle")
        bundle_check_eligible(
            bundle,
            on=ctx.on,
            industry=account.industry,
            size=account.size,
            existing_customer=existing_customer,
        )
        list_total = bundle_list_total(bundle, ctx.prices)
        if list_total is None:
            raise ServiceError(_("促销方案中有产品不在当前定价表上。"), field="bundle")
        seen.add(bundle_id)
        blocks.append(BlockDraft(bundle, quantity, list_total))
    return blocks
