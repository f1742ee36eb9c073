"""pricing's API routes, included under /api/ by collab/urls.py."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from pricing.web import apis

router = SimpleRouter()
router.register("products", apis.ProductViewSet, basename="product")
router.register("price-lists", apis.PriceListViewSet, basename="price-list")
router.register("bundles", apis.BundleViewSet, basename="bundle")
router.register("quotes", apis.QuoteViewSet, basename="quote")

urlpatterns = [
    path("bundle-comparison/", apis.ComparisonView.as_view(), name="api-bundle-comparison"),
    path("", include(router.urls)),
]
