from django.urls import path

from requests_sla.catalog import urls as catalog_urls
from requests_sla.sla import urls as sla_urls

from . import views

app_name = "requests_sla"

urlpatterns = [
    path("", views.my_requests, name="mine"),
    path("new/", views.new_request, name="new"),
    path("new/<int:type_id>/", views.file_request, name="file"),
    path("new/<int:type_id>/promise/", views.promise, name="promise"),
    path("queue/", views.queue, name="queue"),
    path("queue/bulk-assign/", views.queue_bulk_assign, name="bulk_assign"),
    *catalog_urls.urlpatterns,
    *sla_urls.urlpatterns,
    path("<int:pk>/", views.request_detail, name="detail"),
    path("<int:pk>/comment/", views.request_comment, name="comment"),
    path("<int:pk>/attach/", views.request_attach, name="attach"),
    path("<int:pk>/watchers/", views.request_watchers, name="watchers"),
    path("<int:pk>/<slug:action>/", views.request_action, name="action"),
]
