"""enablement's API routes, included under /api/ by collab/urls.py."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from enablement.library import apis as library_apis
from enablement.usage import apis as usage_apis

router = SimpleRouter()
router.register("assets", library_apis.AssetViewSet, basename="asset")

urlpatterns = [
    path("assets/<int:pk>/uses/", usage_apis.AssetUsesAPI.as_view(), name="api-asset-uses"),
    path(
        "assets/<int:pk>/effectiveness/",
        usage_apis.AssetEffectivenessAPI.as_view(),
        name="api-asset-effectiveness",
    ),
    path("fulfilments/", usage_apis.FulfilAPI.as_view(), name="api-fulfilments"),
    path("", include(router.urls)),
]
