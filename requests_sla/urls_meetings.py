from django.urls import path

from . import views_meetings as views

app_name = "escalation"

urlpatterns = [
    path("meetings/", views.meetings, name="meetings"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting"),
    path("meetings/<int:pk>/minutes/", views.meeting_minutes, name="minutes"),
    path("meetings/<int:pk>/close/", views.meeting_close, name="close"),
    path("meetings/<int:pk>/items/<int:item_pk>/classify/", views.agenda_classify, name="classify"),
    path("meetings/<int:pk>/items/<int:item_pk>/actions/", views.action_add, name="action_add"),
    path("actions/<int:action_pk>/done/", views.action_done, name="action_done"),
    path("kpis/", views.kpis, name="kpis"),
    path("notifications/", views.notifications, name="notifications"),
    path("escalation/settings/", views.escalation_settings, name="settings"),
]
