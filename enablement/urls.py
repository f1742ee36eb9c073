from django.urls import path

from enablement.library import views as library_views
from enablement.usage import views as usage_views

app_name = "enablement"
urlpatterns = [
    path("", library_views.library, name="library"),
    path("new/", library_views.asset_new, name="asset_new"),
    path("report/", usage_views.library_report, name="report"),
    path("assets/<int:pk>/", usage_views.asset_detail, name="asset"),
    path("assets/<int:pk>/version/", library_views.version_new, name="version_new"),
    path("assets/<int:pk>/use/", usage_views.asset_use, name="asset_use"),
    path("assets/<int:pk>/<slug:action>/", library_views.asset_action, name="asset_action"),
    path("files/<int:pk>/", library_views.file_download, name="file"),
    path("requests/<int:pk>/fulfil/", usage_views.fulfil, name="fulfil"),
]
