from django.urls import path

from requests_sla.catalog import views

# In the requests_sla namespace (assembled by requests_sla/urls.py).
urlpatterns = [
    path("catalog/", views.catalog, name="catalog"),
    path("catalog/new/", views.request_type_edit, name="type_create"),
    path("catalog/<int:pk>/", views.request_type_edit, name="type_edit"),
    path("catalog/<int:pk>/toggle/", views.request_type_toggle, name="type_toggle"),
]
