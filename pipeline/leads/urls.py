from django.urls import path

from pipeline.leads import views

# In the pipeline namespace (assembled by pipeline/urls.py).
urlpatterns = [
    path("leads/", views.lead_list, name="leads"),
    path("leads/new/", views.lead_create, name="lead_create"),
    path("leads/report/", views.lead_report, name="lead_report"),
    path("leads/<int:pk>/<str:action>/", views.lead_decide, name="lead_decide"),
]
