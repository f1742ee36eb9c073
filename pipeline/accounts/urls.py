from django.urls import path

from pipeline.accounts import views

# In the pipeline namespace (assembled by pipeline/urls.py).
urlpatterns = [
    path("accounts/", views.account_list, name="accounts"),
    path("accounts/new/", views.account_create, name="account_create"),
    path("accounts/<int:pk>/", views.account_detail, name="account_detail"),
    path("accounts/<int:pk>/edit/", views.account_edit, name="account_edit"),
    path("accounts/<int:pk>/contacts/", views.contact_add, name="contact_add"),
]
