from django.urls import path

from . import views

app_name = "pipeline"

urlpatterns = [
    path("accounts/", views.account_list, name="accounts"),
    path("accounts/new/", views.account_create, name="account_create"),
    path("accounts/<int:pk>/", views.account_detail, name="account_detail"),
    path("accounts/<int:pk>/edit/", views.account_edit, name="account_edit"),
    path("accounts/<int:pk>/contacts/", views.contact_add, name="contact_add"),
    path("opportunities/", views.opportunity_list, name="opportunities"),
    path("opportunities/new/", views.opportunity_create, name="opportunity_create"),
    path("opportunities/<int:pk>/", views.opportunity_detail, name="opportunity_detail"),
    path("opportunities/<int:pk>/edit/", views.opportunity_edit, name="opportunity_edit"),
    path("opportunities/<int:pk>/move/", views.opportunity_move, name="opportunity_move"),
    path("funnel/", views.funnel, name="funnel"),
    path("leads/", views.lead_list, name="leads"),
    path("leads/new/", views.lead_create, name="lead_create"),
    path("leads/report/", views.lead_report, name="lead_report"),
    path("leads/<int:pk>/<str:action>/", views.lead_decide, name="lead_decide"),
    path("follow-ups/new/", views.follow_up_create, name="follow_up_create"),
    path("feedback/", views.feedback_report, name="feedback"),
    path("lookup/", views.link_lookup, name="link_lookup"),
    path("lookup/pick/", views.link_pick, name="link_pick"),
]
