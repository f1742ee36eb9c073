from django.urls import path

from requests_sla.reporting import views

# The dashboard namespace (assembled by requests_sla/urls.py).

urlpatterns = [
    path("", views.dashboard_page, name="index"),
    path("requests/", views.drilldown_page, name="drilldown"),
    path("scorecards/", views.dashboard_scorecards, name="scorecards"),
    path("export/<slug:table>.<slug:fmt>", views.dashboard_export, name="export"),
]
