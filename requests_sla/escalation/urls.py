from django.urls import path

from requests_sla.escalation import views

# In the escalation namespace (assembled by requests_sla/urls.py).
urlpatterns = [
    path("escalation/settings/", views.escalation_settings, name="settings"),
]
