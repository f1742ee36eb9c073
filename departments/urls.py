from django.urls import path

from . import views

app_name = "departments"

urlpatterns = [
    path("", views.directory, name="directory"),
    path("settings/", views.organization_settings, name="settings"),
    path("settings/members/<int:pk>/", views.membership_update, name="membership_update"),
    path("switch/", views.switch_organization, name="switch"),
]
