"""The pipeline's pages, assembled from its sub-packages' routes (namespace
``pipeline``; URL names unchanged)."""

from pipeline.accounts import urls as accounts_urls
from pipeline.followups import urls as followups_urls
from pipeline.funnel import urls as funnel_urls
from pipeline.leads import urls as leads_urls
from pipeline.links import urls as links_urls
from pipeline.opportunities import urls as opportunities_urls

app_name = "pipeline"

urlpatterns = [
    *accounts_urls.urlpatterns,
    *opportunities_urls.urlpatterns,
    *funnel_urls.urlpatterns,
    *leads_urls.urlpatterns,
    *followups_urls.urlpatterns,
    *links_urls.urlpatterns,
]
