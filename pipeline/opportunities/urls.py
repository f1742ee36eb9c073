from django.urls import path

from pipeline.opportunities import flags, views

# In the pipeline namespace (assembled by pipeline/urls.py).
urlpatterns = [
    path("opportunities/", views.opportunity_list, name="opportunities"),
    path("opportunities/new/", views.opportunity_create, name="opportunity_create"),
    path("opportunities/<int:pk>/", views.opportunity_detail, name="opportunity_detail"),
    path("opportunities/<int:pk>/edit/", views.opportunity_edit, name="opportunity_edit"),
    path("opportunities/<int:pk>/move/", views.opportunity_move, name="opportunity_move"),
    path("opportunities/account-flags/", flags.account_flags, name="account_flags"),
]
