from django.urls import path

from pricing.web import views

app_name = "pricing"

urlpatterns = [
    path("quotes/", views.quote_list, name="quotes"),
]
