"""enablement's API routes, included under /api/ by collab/urls.py."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from enablement.campaigns import apis as campaign_apis
from enablement.library import apis as library_apis
from enablement.training import apis as training_apis
from enablement.usage import apis as usage_apis

router = SimpleRouter()
router.register("assets", library_apis.AssetViewSet, basename="asset")
router.register("campaigns", campaign_apis.CampaignViewSet, basename="campaign")
router.register("courses", training_apis.CourseViewSet, basename="course")

urlpatterns = [
    path("assets/<int:pk>/uses/", usage_apis.AssetUsesAPI.as_view(), name="api-asset-uses"),
    path(
        "assets/<int:pk>/effectiveness/",
        usage_apis.AssetEffectivenessAPI.as_view(),
        name="api-asset-effectiveness",
    ),
    path("fulfilments/", usage_apis.FulfilAPI.as_view(), name="api-fulfilments"),
    path(
        "campaigns/<int:pk>/figures/",
        campaign_apis.CampaignFiguresAPI.as_view(),
        name="api-campaign-figures",
    ),
    path(
        "campaigns/<int:pk>/responses/",
        campaign_apis.CampaignResponsesAPI.as_view(),
        name="api-campaign-responses",
    ),
    path(
        "campaigns/<int:pk>/responses/import/",
        campaign_apis.CampaignResponsesImportAPI.as_view(),
        name="api-campaign-responses-import",
    ),
    path(
        "responses/<int:pk>/lead/",
        campaign_apis.CampaignResponseLeadAPI.as_view(),
        name="api-response-lead",
    ),
    path(
        "courses/<int:pk>/sessions/",
        training_apis.CourseSessionsAPI.as_view(),
        name="api-course-sessions",
    ),
    path(
        "courses/<int:pk>/enrolments/",
        training_apis.CourseEnrolmentsAPI.as_view(),
        name="api-course-enrolments",
    ),
    path("enrolments/", training_apis.MyEnrolmentsAPI.as_view(), name="api-my-enrolments"),
    path(
        "enrolments/<int:pk>/check/",
        training_apis.EnrolmentCheckAPI.as_view(),
        name="api-enrolment-check",
    ),
    path("", include(router.urls)),
]
