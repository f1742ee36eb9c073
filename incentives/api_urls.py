"""Incentives' API routes, included under /api/ by collab/urls.py."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from incentives import apis
from incentives.hiring import apis as hiring_apis

router = SimpleRouter()
router.register("incentives/sprints", apis.SprintViewSet, basename="incentives-sprint")
router.register("incentives/plans", apis.PlanViewSet, basename="incentives-plan")
router.register("incentives/payout-runs", apis.PayoutRunViewSet, basename="incentives-run")
router.register(
    "incentives/headcount-requests",
    hiring_apis.HeadcountRequestViewSet,
    basename="incentives-headcount",
)
router.register("incentives/positions", hiring_apis.PositionViewSet, basename="incentives-position")

urlpatterns = [path("", include(router.urls))]
