from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from departments import views as department_views
from departments.apis import DepartmentViewSet, MeView, TokenObtainView
from requests_sla import urls as requests_sla_urls
from requests_sla.approvals.apis import ApprovalStepViewSet
from requests_sla.catalog.apis import RequestTypeViewSet
from requests_sla.meetings.apis import (
    ActionItemViewSet,
    AgendaItemViewSet,
    KpiViewSet,
    MeetingViewSet,
)
from requests_sla.notifications.apis import InboxViewSet
from requests_sla.reporting.apis import DashboardAPI
from requests_sla.requests.apis import RequestViewSet
from requests_sla.sla.apis import CalendarViewSet

from . import views

# No ``.json`` suffix routes: the API speaks JSON by Accept header, and the
# suffix variants handed a ``format`` argument to actions that take none
# (a 500 on every ``/api/requests/1/start.json``, found by the probe matrix).
router = DefaultRouter()
router.include_format_suffixes = False
router.register("departments", DepartmentViewSet, basename="department")
router.register("requests", RequestViewSet, basename="request")
router.register("request-types", RequestTypeViewSet, basename="request-type")
router.register("calendars", CalendarViewSet, basename="calendar")
# The inbox under its older name too: one viewset, two addresses.
router.register("notifications", InboxViewSet, basename="notification")
router.register("meetings", MeetingViewSet, basename="meeting")
router.register("agenda-items", AgendaItemViewSet, basename="agenda-item")
router.register("action-items", ActionItemViewSet, basename="action-item")
router.register("kpis", KpiViewSet, basename="kpi")
router.register("approvals", ApprovalStepViewSet, basename="approval-step")
router.register("inbox", InboxViewSet, basename="inbox")

api_patterns = [
    path("me/", MeView.as_view(), name="api-me"),
    path("dashboard/", DashboardAPI.as_view(), name="api-dashboard"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves its start-up script as a file (?script), so Swagger
    # UI runs under the content-security policy (script-src 'self').
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("", include("pipeline.api_urls")),
    path("", include("finance.api_urls")),
    path("", include("pricing.api_urls")),
    path("", include("enablement.api_urls")),
    path("", include("roadmap.api_urls")),
    path("", include("incentives.api_urls")),
    path("", include(router.urls)),
]

urlpatterns = [
    path("", department_views.home, name="home"),
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/", include("django.contrib.auth.urls")),
    # The language switcher stores the choice on the user (the cookie alone
    # would not follow them to another device).
    path("i18n/setlang/", department_views.set_language, name="set_language"),
    path("departments/", include("departments.urls")),
    path("requests/", include("requests_sla.urls")),
    path("", include(requests_sla_urls.escalation_patterns)),  # meetings/, kpis/, notifications/
    path("dashboard/", include(requests_sla_urls.dashboard_patterns)),
    path("pipeline/", include("pipeline.urls")),
    path("finance/", include("finance.urls")),
    path("pricing/", include("pricing.urls")),
    path("enablement/", include("enablement.urls")),
    path("roadmap/", include("roadmap.urls")),
    path("incentives/", include("incentives.urls")),
    path("api/", include(api_patterns)),
    path("api/auth/token/", TokenObtainView.as_view(), name="api-token"),
    path("healthz", views.healthz, name="healthz"),
    # Browsers ask for /favicon.ico on pages without a <link rel=icon> (the
    # API's JSON, a PDF): the static file, not a 404.
    path(
        "favicon.ico",
        views.favicon,
        name="favicon",
    ),
    path("admin/", admin.site.urls),
]
# Nothing is served from MEDIA_URL, in any mode: attachments go out only
# through requests_sla's download view, which checks who may see them.
