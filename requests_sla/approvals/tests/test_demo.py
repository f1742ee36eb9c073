"""The demo step: chains and requests in each state in both organizations;
loading twice adds nothing."""

import pytest
from django.core.management import call_command

from collab.tenancy import organization_scope
from departments.models import Organization
from departments.registry import demo_steps
from requests_sla.approvals.models import ApprovalFlow, ApprovalStep, StepState

pytestmark = pytest.mark.django_db


def _states(slug):
    org = Organization.objects.get(slug=slug)
    with organization_scope(org.id):
        return (
            sorted(set(ApprovalFlow.objects.values_list("state", flat=True))),
            ApprovalStep.objects.count(),
            set(
                ApprovalStep.objects.filter(state=StepState.PENDING).values_list(
                    "approver__username", flat=True
                )
            ),
        )


def test_demo_chains_in_both_organizations():
    with demo_steps.only("departments.demo.load", "requests_sla.approvals.demo.load"):
        call_command("load_demo")
        demo = _states("demo")
        other = _states("other")
        assert demo[0] == ["approved", "in_progress", "rejected", "sent_back"]
        assert other[0] == demo[0]
        assert "head-fin" in demo[2] and "admin" in demo[2]
        assert "other-fin" in other[2]
        call_command("load_demo")
        assert _states("demo")[1] == demo[1]
