from django.urls import path

from requests_sla.meetings import views

# In the escalation namespace (assembled by requests_sla/urls.py).
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
        views.finding_classify,
        name="finding_classify",
    ),
    path(
        "meetings/<int:pk>/findings/<int:finding_pk>/actions/",
        views.finding_action_add,
        name="finding_action_add",
    ),
    path(
        "meetings/<int:pk>/postmortems/<int:postmortem_pk>/departments/",
        views.department_add,
        name="postmortem_department_add",
    ),
    path("kpis/", views.kpis, name="kpis"),
]
