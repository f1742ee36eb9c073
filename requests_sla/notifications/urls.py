from django.urls import path

from requests_sla.notifications import views

# In the escalation namespace (assembled by requests_sla/urls.py).
urlpatterns = [
    path("notifications/", views.notifications, name="notifications"),
]
