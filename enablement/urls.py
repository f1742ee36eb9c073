from django.urls import path

from enablement.campaigns import views as campaign_views
from enablement.library import views as library_views
from enablement.training import views as training_views
from enablement.usage import views as usage_views

app_name = "enablement"
urlpatterns = [
    path("", library_views.library, name="library"),
    path("new/", library_views.asset_new, name="asset_new"),
    path("report/", usage_views.library_report, name="report"),
    path("assets/<int:pk>/", usage_views.asset_detail, name="asset"),
    path("assets/<int:pk>/version/", library_views.version_new, name="version_new"),
    path("assets/<int:pk>/use/", usage_views.asset_use, name="asset_use"),
    path("assets/<int:pk>/deals/", usage_views.asset_deals, name="asset_deals"),
    path("assets/<int:pk>/uses/", usage_views.asset_uses, name="asset_uses"),
    path("assets/<int:pk>/<slug:action>/", library_views.asset_action, name="asset_action"),
    path("files/<int:pk>/", library_views.file_download, name="file"),
    path("requests/<int:pk>/fulfil/", usage_views.fulfil, name="fulfil"),
    path("campaigns/", campaign_views.campaigns, name="campaigns"),
    path("campaigns/new/", campaign_views.campaign_edit, name="campaign_new"),
    path("campaigns/report/", campaign_views.campaigns_report, name="campaigns_report"),
    path("campaigns/<int:pk>/", campaign_views.campaign_detail, name="campaign"),
    path("campaigns/<int:pk>/edit/", campaign_views.campaign_edit, name="campaign_edit"),
    path("campaigns/<int:pk>/responses/", campaign_views.response_add, name="response_add"),
    path("campaigns/<int:pk>/import/", campaign_views.responses_upload, name="responses_import"),
    path("responses/<int:pk>/lead/", campaign_views.response_lead, name="response_lead"),
    path("courses/", training_views.courses, name="courses"),
    path("courses/new/", training_views.course_new, name="course_new"),
    path("courses/mine/", training_views.my_courses, name="my_courses"),
    path("courses/overview/", training_views.training_overview, name="training_overview"),
    path("courses/releases/", training_views.releases, name="releases"),
    path("courses/<int:pk>/", training_views.course_detail, name="course"),
    path("courses/<int:pk>/sessions/", training_views.session_new, name="session_new"),
    path("courses/<int:pk>/enrol/", training_views.enrol, name="enrol"),
    path("enrolments/<int:pk>/attendance/", training_views.attendance, name="attendance"),
    path("enrolments/<int:pk>/check/", training_views.course_check, name="course_check"),
]
