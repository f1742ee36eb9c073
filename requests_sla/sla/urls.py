from django.urls import path

from requests_sla.sla import views

# In the requests_sla namespace (assembled by requests_sla/urls.py).
urlpatterns = [
    path("calendar/", views.calendar, name="calendar"),
    path(
        "calendar/exceptions/<int:pk>/delete/",
        views.calendar_exception_remove,
        name="exception_remove",
    ),
]
