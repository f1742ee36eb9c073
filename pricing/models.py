"""Every model of pricing, re-exported for Django's app registry."""

from pricing.bundles.models import Bundle, BundleItem, BundleState, CustomerKind
from pricing.catalog.models import (
    Category,
    PriceList,
    PriceListItem,
    PriceListState,
    PricingPolicy,
    Product,
    Tier,
    Unit,
)
from pricing.quotes.models import Quote, QuoteBundle, QuoteLanguage, QuoteLine, QuoteState

__all__ = [
    "Bundle",
    "BundleItem",
    "BundleState",
    "Category",
    "CustomerKind",
    "PriceList",
    "PriceListItem",
    "PriceListState",
    "PricingPolicy",
    "Product",
    "Quote",
    "QuoteBundle",
    "QuoteLanguage",
    "QuoteLine",
    "QuoteState",
    "Tier",
    "Unit",
]
