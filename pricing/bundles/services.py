"""Writes of promotion bundles (Product Management): create/edit, items,
publish; and the eligibility rule quotes apply."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.translation import gettext as _

from collab.errors import ServiceError
from collab.tenancy import organization_scope
from pipeline.accounts.models import AccountSize, Industry
from pricing.bundles.models import Bundle, BundleItem, BundleState, CustomerKind
from pricing.catalog.models import Product
from pricing.permissions import manages_pricing

if TYPE_CHECKING:
    from departments.models import Membership

BUNDLE_FIELDS = {
    "code",
    "name_zh",
    "name_en",
    "period_label",
    "starts_on",
    "ends_on",
    "currency",
    "bundle_price",
    "industries",
    "sizes",
    "customer_kind",
    "stackable",
    "library_url",
}


def _require_pm(actor: Membership) -> None:
    if not manages_pricing(actor):
        raise ServiceError(_("只有产品管理部可以修改促销方案。"))


def _check_fields(bundle: Bundle) -> None:
    if bundle.ends_on < bundle.starts_on:
        raise ServiceError(_("结束日期不能早于开始日期。"), field="ends_on")
    if bundle.bundle_price is None or bundle.bundle_price < 0:
        raise ServiceError(_("方案价不能为负数。"), field="bundle_price")
    if set(bundle.industries) - set(Industry.values):
        raise ServiceError(_("行业无效。"), field="industries")
    if set(bundle.sizes) - set(AccountSize.values):
        raise ServiceError(_("客户规模无效。"), field="sizes")
    if Bundle.objects.filter(code=bundle.code).exclude(pk=bundle.pk).exists():
        raise ServiceError(_("方案编码已存在。"), field="code")


def bundle_save(*, actor: Membership, bundle: Bundle | None = None, **fields: Any) -> Bundle:
    _require_pm(actor)
    unknown = set(fields) - BUNDLE_FIELDS
    if unknown:
        raise ServiceError(f"unknown field {sorted(unknown)[0]}", field=sorted(unknown)[0])
    with organization_scope(actor.organization_id), transaction.atomic():
        bundle = bundle or Bundle(organization_id=actor.organization_id)
        if bundle.pk and bundle.state != BundleState.DRAFT:
            raise ServiceError(_("已发布的促销方案不能修改。"))
        for key, value in fields.items():
            setattr(bundle, key, value)
        _check_fields(bundle)
        bundle.full_clean(exclude=["organization"])
        bundle.save()
        return bundle


def bundle_item_set(
    *, actor: Membership, bundle: Bundle, product: Product, quantity: Decimal
) -> BundleItem:
    _require_pm(actor)
    if quantity <= 0:
        raise ServiceError(_("数量必须大于零。"), field="quantity")
    with organization_scope(actor.organization_id), transaction.atomic():
        bundle = Bundle.objects.select_for_update().get(pk=bundle.pk)
        if bundle.state != BundleState.DRAFT:
            raise ServiceError(_("已发布的促销方案不能修改。"))
        if product.organization_id != actor.organization_id:
            raise ServiceError(_("产品不存在。"), field="product")
        item, _created = BundleItem.objects.update_or_create(
            bundle=bundle,
            product=product,
            defaults={"organization_id": actor.organization_id, "quantity": quantity},
        )
        return item


def bundle_publish(*, actor: Membership, bundle: Bundle) -> Bundle:
    _require_pm(actor)
    with organization_scope(actor.organization_id), transaction.atomic():
        bundle = Bundle.objects.select_for_update().get(pk=bundle.pk)
        if bundle.state != BundleState.DRAFT:
            raise ServiceError(_("促销方案已发布。"))
        if not bundle.items.exists():
            raise ServiceError(_("促销方案还没有任何产品。"))
        bundle.state = BundleState.PUBLISHED
        bundle.save(update_fields=["state"])
        return bundle


def bundle_check_eligible(
    bundle: Bundle, *, on: dt.date, industry: str, size: str, existing_customer: bool
) -> None:
    """Refuse a bundle outside its period, unpublished, or for an ineligible
    customer (``ServiceError`` on the field ``bundle``)."""
    if bundle.state != BundleState.PUBLISHED:
        raise ServiceError(_("促销方案尚未发布。"), field="bundle")
    if not bundle.starts_on <= on <= bundle.ends_on:
        raise ServiceError(_("报价日期不在促销方案的活动周期内。"), field="bundle")
    if bundle.industries and industry not in bundle.industries:
        raise ServiceError(_("客户所在行业不适用该促销方案。"), field="bundle")
    if bundle.sizes and size not in bundle.sizes:
        raise ServiceError(_("客户规模不适用该促销方案。"), field="bundle")
    if bundle.customer_kind == CustomerKind.NEW and existing_customer:
        raise ServiceError(_("该促销方案仅适用于新客户。"), field="bundle")
    if bundle.customer_kind == CustomerKind.EXISTING and not existing_customer:
        raise ServiceError(_("该促销方案仅适用于老客户。"), field="bundle")
