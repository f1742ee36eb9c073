"""The demo library loads in both organizations, once."""

import pytest

from collab.tenancy import organization_scope
from departments.registry import demo_steps
from departments.tests.factories import OrganizationFactory
from enablement.library import selectors
from enablement.library.models import Asset, AssetStatus
from enablement.usage.models import AssetFulfilment, AssetUse
from requests_sla.tests.factories import membership_of

pytestmark = pytest.mark.django_db
STEPS = (
    "departments.demo.load",
    "requests_sla.demo.requests.load",
    "pipeline.demo.customers.load",
    "enablement.demo.library.load",
)


@pytest.mark.parametrize("key", ["demo", "other"])
def test_demo_library_in_both_organizations(key):
    org = OrganizationFactory(slug=f"lib-{key}")
    with demo_steps.only(*STEPS):
        for _ in range(2):  # idempotent
            for step in demo_steps:
                step.run(organization=org, key=key)
    with organization_scope(org.id):
        assert Asset.objects.count() >= 30
        assert Asset.objects.filter(status=AssetStatus.RETIRED).count() == 1
        toolkit = Asset.objects.get(title_zh="数据安全话术工具包")
        assert toolkit.version == 2
        assert AssetUse.objects.exists()
        rep = membership_of(toolkit.created_by, org)
        found = selectors.library_search(rep, selectors.LibraryFilters(q="数据安全"))
        assert found[0].title_zh in ("数据安全话术工具包", "金融行业数据安全解决方案")
        if key == "demo":
            assert AssetFulfilment.objects.count() == 1
