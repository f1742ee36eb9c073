"""The demo step: a catalog, two bundles and quotes in every state in both
organizations, one waiting for Finance's head; loading twice adds nothing."""

import pytest
from django.core.management import call_command

from collab.tenancy import organization_scope
from departments.models import Organization
from departments.registry import demo_steps
from pricing.bundles.models import Bundle
from pricing.catalog.models import PriceList
from pricing.quotes.models import Quote
from requests_sla.approvals.models import ApprovalStep

pytestmark = pytest.mark.django_db

STEPS = (
    "departments.demo.load",
    "pipeline.demo.customers.load",
    "requests_sla.approvals.demo.load",
    "pricing.demo.loader.load",
)


def _facts(slug):
    org = Organization.objects.get(slug=slug)
    with organization_scope(org.id):
        waiting = ApprovalStep.objects.filter(
            state="pending", request_id__in=Quote.objects.values("approval_request_id")
        ).values_list("approver__username", flat=True)
        return {
            "states": set(Quote.objects.values_list("state", flat=True)),
            "quotes": Quote.objects.count(),
            "lists": sorted(PriceList.objects.values_list("tier", "state")),
            "bundles": Bundle.objects.filter(state="published").count(),
            "waiting": set(waiting),
        }


def test_demo_quotes_in_every_state_in_both_organizations():
    with demo_steps.only(*STEPS):
        call_command("load_demo")
        demo, other = _facts("demo"), _facts("other")
        every = {
            "draft",
            "pending_approval",
            "approved",
            "rejected",
            "sent",
            "accepted",
            "declined",
            "expired",
            "superseded",
        }
        assert demo["states"] == every and other["states"] == every
        assert demo["waiting"] == {"head-fin"} and other["waiting"] == {"other-fin"}
        assert demo["bundles"] == 2 and other["bundles"] == 2
        assert demo["lists"].count(("standard", "published")) == 2
        call_command("load_demo")
        assert _facts("demo")["quotes"] == demo["quotes"]
