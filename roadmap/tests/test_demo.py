"""The roadmap's demo data, in both organizations, through the real loaders."""

import pytest

from collab import tenancy
from roadmap.metrics import loop_metrics
from roadmap.models import DealNote, Prototype, Release, Requirement, ReviewBoard, State


@pytest.mark.django_db
def test_demo_has_every_state_a_past_board_a_validation_and_a_shipped_release(org, other_org):
    from departments import demo as people
    from pipeline.demo import customers
    from roadmap import demo

    for organization, key in ((org, "demo"), (other_org, "other")):
        people.load(organization=organization, key=key)
        customers.load(organization=organization, key=key)
        demo.load(organization=organization, key=key)
        demo.load(organization=organization, key=key)  # idempotent
        with tenancy.organization_scope(organization.id):
            states = set(Requirement.objects.values_list("state", flat=True))
            assert {
                State.SHIPPED,
                State.VALIDATING,
                State.DECLINED,
                State.READY_FOR_REVIEW,
                State.SUBMITTED,
                State.DEFERRED,
            } <= states, key
            assert ReviewBoard.objects.filter(held_at__isnull=False).exclude(minutes="").exists()
            prototype = Prototype.objects.get()
            assert prototype.completed_at is None
            assert prototype.customers.exclude(verdict="").count() == 1
            assert Release.objects.filter(shipped_at__isnull=False).count() == 1
            assert ReviewBoard.objects.filter(held_at__isnull=True).count() >= 1
            metrics = loop_metrics(organization.id)
            assert metrics.influenced_deals == 1, key
            assert DealNote.objects.exists()
            # One assessment is Product Management's, its feasibility request resolved.
            by_pm = Requirement.objects.get(assessed_by__username__in=["head-pm", "other-pm"])
            assert by_pm.assessment_request.status == "resolved", key
