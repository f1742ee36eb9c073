from django.urls import path

from pipeline.links import views

# In the pipeline namespace (assembled by pipeline/urls.py).
urlpatterns = [
    path("lookup/", views.link_lookup, name="link_lookup"),
    path("lookup/pick/", views.link_pick, name="link_pick"),
]
