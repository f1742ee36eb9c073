from django.urls import path

from pipeline.followups import views

# In the pipeline namespace (assembled by pipeline/urls.py).
urlpatterns = [
    path("follow-ups/new/", views.follow_up_create, name="follow_up_create"),
    path("feedback/", views.feedback_report, name="feedback"),
]
