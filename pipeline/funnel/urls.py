from django.urls import path

from pipeline.funnel import views

# In the pipeline namespace (assembled by pipeline/urls.py).
urlpatterns = [
    path("funnel/", views.funnel, name="funnel"),
]
