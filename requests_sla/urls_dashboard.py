from django.urls import path

from . import views_dashboard as views

app_name = "dashboard"

urlpatterns = [
    path("", views.dashboard_page, name="index"),
    path("requests/", views.drilldown_page, name="drilldown"),
    path("scorecards/", views.dashboard_scorecards, name="scorecards"),
    path("export/<slug:table>.<slug:fmt>", views.dashboard_export, name="export"),
]
