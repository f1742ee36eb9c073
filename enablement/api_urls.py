"""enablement's API routes, included under /api/ by collab/urls.py."""

urlpatterns: list = []
