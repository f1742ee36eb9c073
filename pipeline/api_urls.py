"""The pipeline's API routes, included under /api/ by collab/urls.py."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from pipeline.accounts import apis as accounts_apis
from pipeline.followups import apis as followups_apis
from pipeline.funnel import apis as funnel_apis
from pipeline.leads import apis as leads_apis
from pipeline.opportunities import apis as opportunities_apis

router = SimpleRouter()
router.register("accounts", accounts_apis.AccountViewSet, basename="account")
router.register("opportunities", opportunities_apis.OpportunityViewSet, basename="opportunity")
router.register("leads", leads_apis.LeadViewSet, basename="lead")
router.register("follow-ups", followups_apis.FollowUpViewSet, basename="follow-up")

urlpatterns = [
    path("funnel/", funnel_apis.FunnelView.as_view(), name="api-funnel"),
    path("", include(router.urls)),
]
