from django.urls import path

from requests_sla.notifications import urls as notifications_urls

from . import views_meetings as views
from . import views_postmortems

app_name = "escalation"

urlpatterns = [
    path("meetings/", views.meetings, name="meetings"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting"),
    path("meetings/<int:pk>/minutes/", views.meeting_minutes, name="minutes"),
    path("meetings/<int:pk>/close/", views.meeting_close, name="close"),
    path("meetings/<int:pk>/items/<int:item_pk>/classify/", views.agenda_classify, name="classify"),
    path("meetings/<int:pk>/items/<int:item_pk>/actions/", views.action_add, name="action_add"),
    path("actions/<int:action_pk>/done/", views.action_done, name="action_done"),
    path(
        "meetings/<int:pk>/findings/<int:finding_pk>/classify/",
        views_postmortems.finding_classify,
        name="finding_classify",
    ),
    path(
        "meetings/<int:pk>/findings/<int:finding_pk>/actions/",
        views_postmortems.finding_action_add,
        name="finding_action_add",
    ),
    path(
        "meetings/<int:pk>/postmortems/<int:postmortem_pk>/departments/",
        views_postmortems.department_add,
        name="postmortem_department_add",
    ),
    path("kpis/", views.kpis, name="kpis"),
    *notifications_urls.urlpatterns,
    path("escalation/settings/", views.escalation_settings, name="settings"),
]
