"""Every page of pricing, for the URL conf."""

from pricing.web.bundle_views import bundle_detail, bundle_list, bundle_publish, comparison
from pricing.web.catalog_views import (
    price_list_detail,
    price_list_list,
    price_list_publish,
    product_list,
)
from pricing.web.quote_views import (
    quote_action,
    quote_detail,
    quote_edit,
    quote_list,
    quote_new,
    quote_pdf,
    quote_print,
    quote_report,
)

__all__ = [
    "bundle_detail",
    "bundle_list",
    "bundle_publish",
    "comparison",
    "price_list_detail",
    "price_list_list",
    "price_list_publish",
    "product_list",
    "quote_action",
    "quote_detail",
    "quote_edit",
    "quote_list",
    "quote_new",
    "quote_pdf",
    "quote_print",
    "quote_report",
]
