from django.urls import path

from requests_sla.requests.views import detail, files, filing, queue

# In the requests_sla namespace (assembled by requests_sla/urls.py): the
# request's own pages come after every fixed prefix (catalog/, calendar/…).
urlpatterns = [
    path("", filing.my_requests, name="mine"),
    path("new/", filing.new_request, name="new"),
    path("new/<int:type_id>/", filing.file_request, name="file"),
    path("new/<int:type_id>/promise/", filing.promise, name="promise"),
    path("queue/", queue.queue, name="queue"),
    path("queue/bulk-assign/", queue.queue_bulk_assign, name="bulk_assign"),
    # Attachments leave the server only here (never from MEDIA_URL).
    path("files/<int:pk>/", files.attachment_download, name="attachment"),
    path("files/signed/<str:token>/", files.attachment_signed, name="attachment_signed"),
]
request_patterns = [
    path("<int:pk>/", detail.request_detail, name="detail"),
    path("<int:pk>/comment/", detail.request_comment, name="comment"),
    path("<int:pk>/attach/", detail.request_attach, name="attach"),
    path("<int:pk>/watchers/", detail.request_watchers, name="watchers"),
    path("<int:pk>/<slug:action>/", detail.request_action, name="action"),
]
