"""Writes of the catalog: products, draft price lists and their prices,
publishing. Product Management (``permissions.manages_pricing``) only."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from collab.errors import ServiceError
from collab.tenancy import organization_scope
from pricing.catalog.models import (
    PriceList,
    PriceListItem,
    PriceListState,
    PricingPolicy,
    Product,
    Tier,
)
from pricing.catalog.selectors import price_list_current
from pricing.permissions import manages_pricing

if TYPE_CHECKING:
    from departments.models import Membership, Organization

PRODUCT_FIELDS = {
    "code",
    "name_zh",
    "name_en",
    "description_zh",
    "description_en",
    "unit",
    "category",
    "base_product",
    "is_active",
}


def policy_provision(*, organization: Organization) -> PricingPolicy:
    with organization_scope(organization.id):
        policy, _created = PricingPolicy.objects.get_or_create(organization=organization)
        return policy


def _require_pm(actor: Membership) -> None:
    if not manages_pricing(actor):
        raise ServiceError(_("只有产品管理部可以修改产品与定价。"))


def product_save(*, actor: Membership, product: Product | None = None, **fields: Any) -> Product:
    """Create (``product`` None) or edit a product. An option's base must be a
    product of the organization that is not itself an option."""
    _require_pm(actor)
    unknown = set(fields) - PRODUCT_FIELDS
    if unknown:
        raise ServiceError(f"unknown field {sorted(unknown)[0]}", field=sorted(unknown)[0])
    with organization_scope(actor.organization_id), transaction.atomic():
        product = product or Product(organization_id=actor.organization_id)
        for key, value in fields.items():
            setattr(product, key, value)
        base = product.base_product
        if base is not None and (
            base.organization_id != actor.organization_id
            or base.base_product_id is not None
            or (product.pk and base.pk == product.pk)
        ):
            raise ServiceError(_("附加选项的基础产品必须是一个基础产品。"), field="base_product")
        if Product.objects.filter(code=product.code).exclude(pk=product.pk).exists():
            raise ServiceError(_("产品编码已存在。"), field="code")
        product.full_clean(exclude=["organization", "base_product"])
        product.save()
        return product


def price_list_create(
    *,
    actor: Membership,
    name: str,
    effective_from: dt.date,
    tier: str = Tier.STANDARD,
    currency: str = "CNY",
    copy_from: PriceList | None = None,
) -> PriceList:
    """A new draft, the next version of its tier and currency, holding the
    prices of ``copy_from`` (by default the list current on its start date)."""
    _require_pm(actor)
    if tier not in Tier.values:
        raise ServiceError(_("客户等级无效。"), field="tier")
    with organization_scope(actor.organization_id), transaction.atomic():
        # Serialise version numbers of one organization's lists.
        PricingPolicy.objects.select_for_update().filter(
            organization_id=actor.organization_id
        ).exists()
        latest = PriceList.objects.filter(tier=tier, currency=currency).aggregate(v=Max("version"))
        source = copy_from or price_list_current(on=effective_from, currency=currency, tier=tier)
        if source is not None and (source.currency != currency):
            raise ServiceError(_("币种不一致。"), field="currency")
        price_list = PriceList.objects.create(
            organization_id=actor.organization_id,
            name=(name or "").strip()[:120] or _("定价表"),
            tier=tier,
            currency=currency,
            version=(latest["v"] or 0) + 1,
            effective_from=effective_from,
        )
        if source is not None:
            PriceListItem.objects.bulk_create(
                PriceListItem(
                    organization_id=actor.organization_id,
                    price_list=price_list,
                    product_id=item.product_id,
                    list_price=item.list_price,
                    floor_price=item.floor_price,
                )
                for item in source.items.all()
            )
        return price_list


def _draft_locked(price_list: PriceList) -> PriceList:
    locked = PriceList.objects.select_for_update().get(pk=price_list.pk)
    if locked.state != PriceListState.DRAFT:
        raise ServiceError(_("已发布的定价表不能修改，请新建一个版本。"))
    return locked


def price_list_item_set(
    *,
    actor: Membership,
    price_list: PriceList,
    product: Product,
    list_price: Decimal,
    floor_price: Decimal,
) -> PriceListItem:
    _require_pm(actor)
    if list_price < 0:
        raise ServiceError(_("价格不能为负数。"), field="list_price")
    if floor_price < 0 or floor_price > list_price:
        raise ServiceError(_("底价必须在 0 与目录价之间。"), field="floor_price")
    with organization_scope(actor.organization_id), transaction.atomic():
        price_list = _draft_locked(price_list)
        if product.organization_id != actor.organization_id:
            raise ServiceError(_("产品不存在。"), field="product")
        item, _created = PriceListItem.objects.update_or_create(
            price_list=price_list,
            product=product,
            defaults={
                "organization_id": actor.organization_id,
                "list_price": list_price,
                "floor_price": floor_price,
            },
        )
        return item


def price_list_item_remove(*, actor: Membership, price_list: PriceList, product_id: int) -> None:
    _require_pm(actor)
    with organization_scope(actor.organization_id), transaction.atomic():
        price_list = _draft_locked(price_list)
        PriceListItem.objects.filter(price_list=price_list, product_id=product_id).delete()


def price_list_publish(
    *, actor: Membership, price_list: PriceList, at: dt.datetime | None = None
) -> set[int]:
    """Publish a draft: from its start date it is the current list of its tier
    and currency; the list current before it ends the day before. Returns the
    ids of products whose list or floor price changed against that list."""
    _require_pm(actor)
    at = at or timezone.now()
    with organization_scope(actor.organization_id), transaction.atomic():
        PricingPolicy.objects.select_for_update().filter(
            organization_id=actor.organization_id
        ).exists()
        price_list = _draft_locked(price_list)
        if not price_list.items.exists():
            raise ServiceError(_("定价表还没有任何产品价格。"))
        start = price_list.effective_from
        later = PriceList.objects.filter(
            state=PriceListState.PUBLISHED,
            tier=price_list.tier,
            currency=price_list.currency,
            effective_from__gte=start,
        )
        if later.exists():
            raise ServiceError(_("已有从同一天或更晚生效的已发布定价表。"), field="effective_from")
        previous = price_list_current(on=start, currency=price_list.currency, tier=price_list.tier)
        changed: set[int] = set()
        if previous is not None:
            previous.effective_to = start - dt.timedelta(days=1)
            previous.save(update_fields=["effective_to"])
            changed = _changed_products(previous, price_list)
        price_list.state = PriceListState.PUBLISHED
        price_list.published_at, price_list.published_by_id = at, actor.user_id
        try:
            price_list.save(update_fields=["state", "published_at", "published_by"])
        except IntegrityError:  # pragma: no cover - the lock above serialises publishers
            raise ServiceError(_("定价表发布冲突，请重试。")) from None
        return changed


def _changed_products(old: PriceList, new: PriceList) -> set[int]:
    before = {
        pid: (lp, fp)
        for pid, lp, fp in old.items.values_list("product_id", "list_price", "floor_price")
    }
    after = {
        pid: (lp, fp)
        for pid, lp, fp in new.items.values_list("product_id", "list_price", "floor_price")
    }
    return {pid for pid in before.keys() | after.keys() if before.get(pid) != after.get(pid)}
