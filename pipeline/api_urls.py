"""The pipeline's API routes, included under /api/ by collab/urls.py."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from . import apis

router = SimpleRouter()
router.register("accounts", apis.AccountViewSet, basename="account")
router.register("opportunities", apis.OpportunityViewSet, basename="opportunity")
router.register("leads", apis.LeadViewSet, basename="lead")
router.register("follow-ups", apis.FollowUpViewSet, basename="follow-up")

urlpatterns = [
    path("funnel/", apis.FunnelView.as_view(), name="api-funnel"),
    path("", include(router.urls)),
]
