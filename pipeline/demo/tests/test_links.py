"""The demo's requests that name a demo customer are linked to it, in both
organizations, so the request page shows its customer and the account page
lists its requests; loading twice links nothing twice."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from collab.tenancy import organization_scope
from departments.models import Membership, Organization
from departments.registry import demo_steps
from pipeline.accounts.models import Account
from pipeline.opportunities.models import RequestLink
from requests_sla.models import Request

pytestmark = pytest.mark.django_db

STEPS = (
    "departments.demo.load",
    "requests_sla.demo.requests.load",
    "requests_sla.demo.history.load",
    "pipeline.demo.customers.load",
    "pipeline.demo.links.load",
)
NAMED = {"demo": "华东电力报表导出失败投诉", "other": "Customer asks about SSO"}


def _customer_facing(slug):
    """(named requests, of them linked, link rows, the named request's link)."""
    org = Organization.objects.get(slug=slug)
    with organization_scope(org.id):
        names = list(Account.objects.values_list("name", flat=True))
        named = [
            r.pk
            for r in Request.objects.all()
            if r.extra.get("customer_name") in names or any(n[:4] in r.title for n in names)
        ]
        linked = set(RequestLink.objects.values_list("request_id", flat=True))
        link = RequestLink.objects.select_related("account").get(request__title=NAMED[slug])
        return named, [pk for pk in named if pk in linked], RequestLink.objects.count(), link


def test_demo_requests_naming_a_customer_are_linked_to_it_in_both_organizations(client):
    with demo_steps.only(*STEPS):
        call_command("load_demo")
        results = {slug: _customer_facing(slug) for slug in ("demo", "other")}
        for slug, (named, linked, _, _) in results.items():
            assert len(named) >= 3, slug
            assert len(linked) >= 0.9 * len(named), slug
        assert results["demo"][3].account.name == "华东电力集团有限公司"
        assert results["other"][3].account.name == "Northwind Traders"
        call_command("load_demo")
        assert _customer_facing("demo")[2] == results["demo"][2]

    org = Organization.objects.get(slug="demo")
    link = results["demo"][3]
    with organization_scope(org.id):
        head = Membership.objects.get(user__username="head-cs").user
    client.force_login(head)
    page = client.get(reverse("pipeline:account_detail", args=[link.account_id]))
    assert "华东电力报表导出失败投诉" in page.content.decode()
    detail = client.get(reverse("requests_sla:detail", args=[link.request_id]))
    assert "华东电力集团有限公司" in detail.content.decode()
