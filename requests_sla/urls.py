"""The app's page routes, assembled from its sub-packages, in three
namespaces that predate the split (their names are kept so every
``{% url %}`` and ``reverse()`` stays valid):

* ``requests_sla`` (under /requests/): requests, catalog, calendar;
* ``escalation`` (at the site root): meetings, KPIs, notifications, the
  escalation settings;
* ``dashboard`` (under /dashboard/): the SLA dashboard.
"""

from requests_sla.approvals import urls as approvals_urls
from requests_sla.catalog import urls as catalog_urls
from requests_sla.escalation import urls as escalation_urls
from requests_sla.meetings import urls as meetings_urls
from requests_sla.notifications import urls as notifications_urls
from requests_sla.reporting import urls as reporting_urls
from requests_sla.requests import urls as requests_urls
from requests_sla.sla import urls as sla_urls

app_name = "requests_sla"

urlpatterns = [
    *requests_urls.urlpatterns,
    *catalog_urls.urlpatterns,
    *approvals_urls.urlpatterns,
    *sla_urls.urlpatterns,
    *requests_urls.request_patterns,
]

escalation_patterns = (
    [*meetings_urls.urlpatterns, *notifications_urls.urlpatterns, *escalation_urls.urlpatterns],
    "escalation",
)

dashboard_patterns = (reporting_urls.urlpatterns, "dashboard")
