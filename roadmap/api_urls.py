"""Roadmap's API routes, included under /api/ by collab/urls.py."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from roadmap import apis

router = SimpleRouter()
router.register("requirements", apis.RequirementViewSet, basename="requirement")
router.register("boards", apis.ReviewBoardViewSet, basename="review-board")
router.register("releases", apis.ReleaseViewSet, basename="release")

urlpatterns = [path("", include(router.urls))]
