from django.urls import path

from roadmap import views

app_name = "roadmap"

urlpatterns = [
    path("", views.requirement_list, name="requirements"),
    path("<int:pk>/", views.requirement_detail, name="requirement"),
]
