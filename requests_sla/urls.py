"""The app's page routes, assembled from its sub-packages: the
``requests_sla`` namespace (requests, catalog, calendar) under /requests/."""

from requests_sla.catalog import urls as catalog_urls
from requests_sla.requests import urls as requests_urls
from requests_sla.sla import urls as sla_urls

app_name = "requests_sla"

urlpatterns = [
    *requests_urls.urlpatterns,
    *catalog_urls.urlpatterns,
    *sla_urls.urlpatterns,
    *requests_urls.request_patterns,
]
