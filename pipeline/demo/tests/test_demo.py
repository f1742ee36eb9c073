"""The customer side's demo data."""

from __future__ import annotations

import pytest

from collab import tenancy
from pipeline.leads.models import Lead
from pipeline.opportunities.models import Opportunity


@pytest.mark.django_db
def test_demo_data_loads_once_with_a_visible_bottleneck(org, other_org):
    from departments import demo as people
    from pipeline.accounts.models import Account
    from pipeline.demo import customers as demo
    from pipeline.funnel.filters import default_filters
    from pipeline.funnel.selectors import funnel_report

    people.load(organization=org, key="demo")
    demo.load(organization=org, key="demo")
    demo.load(organization=org, key="demo")
    people.load(organization=other_org, key="other")
    demo.load(organization=other_org, key="other")
    with tenancy.organization_scope(org.id):
        assert Account.objects.count() == 30
        assert Opportunity.objects.count() >= 150
        assert Lead.objects.filter(status="converted").exists()
        report = funnel_report(default_filters())
    assert report.bottleneck.stage.code == "solution"
    with tenancy.organization_scope(other_org.id):
        assert Account.objects.count() == 4
