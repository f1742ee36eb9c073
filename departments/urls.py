from django.urls import path

from . import views

app_name = "departments"

urlpatterns = [
    path("", views.directory, name="directory"),
    path("settings/", views.organization_settings, name="settings"),
    path("settings/members/<int:pk>/", views.membership_update, name="membership_update"),
    path(
        "settings/invitations/<int:pk>/revoke/", views.invitation_revoke, name="invitation_revoke"
    ),
    path("switch/", views.switch_organization, name="switch"),
    path("invitations/", views.my_invitations, name="invitations"),
    path("invitations/<int:pk>/accept/", views.invitation_accept, name="invitation_accept"),
    path("invitations/<int:pk>/decline/", views.invitation_decline, name="invitation_decline"),
    path("invitations/open/<str:token>/", views.invitation_open, name="invitation_open"),
    path("account/", views.account, name="account"),
    path("account/tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
]
