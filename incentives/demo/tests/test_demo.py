"""The demo: in both organizations, last quarter's sprint with a frozen run
and this quarter's with targets, the 销售之星 and a budget reservation;
loading twice adds nothing."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from collab.tenancy import organization_scope
from departments.models import Membership, Organization
from departments.registry import demo_steps
from incentives.hiring.demo import REQUESTS
from incentives.models import (
    Award,
    HeadcountRequest,
    PayoutRun,
    Position,
    RunState,
    Sprint,
    Target,
)
from incentives.plans.models import CommissionPlan
from incentives.plans.selectors import plan_rate_gaps
from incentives.sprints.selectors import sprint_progress

pytestmark = pytest.mark.django_db

STEPS = (
    "departments.demo.load",
    "pipeline.demo.customers.load",
    "incentives.demo.load.load",
)


def _state(slug):
    org = Organization.objects.get(slug=slug)
    with organization_scope(org.id):
        past, current = Sprint.objects.order_by("start")
        return {
            "sprints": Sprint.objects.count(),
            "frozen": list(PayoutRun.objects.filter(sprint=past).values_list("state", flat=True)),
            "targets": Target.objects.filter(sprint=current, member__isnull=False).count(),
            "award": Award.objects.filter(sprint=current).values_list("name_zh", flat=True).get(),
            "reserved": current.reservation_id is not None,
            "current": current.pk,
            "stages": set(Position.objects.values_list("stage", flat=True)),
            "requests": HeadcountRequest.objects.count(),
        }


def test_demo_sprints_load_once_in_both_organizations(client):
    with demo_steps.only(*STEPS):
        call_command("load_demo")
        call_command("load_demo")
    for slug in ("demo", "other"):
        state = _state(slug)
        assert state["sprints"] == 2, slug
        assert state["frozen"] == [RunState.APPROVED], slug
        assert state["targets"] == 6, slug  # two reps × won, collected and product mix
        assert state["award"] == "销售之星"
        assert state["reserved"], slug
        assert {"sourcing", "interviews", "joined"} <= state["stages"], slug
        assert state["requests"] == len(REQUESTS[slug]), slug
    org = Organization.objects.get(slug="demo")
    with organization_scope(org.id):
        rep = Membership.objects.get(user__username="rep").user
    client.force_login(rep)
    page = client.get(reverse("incentives:sprint", args=[_state("demo")["current"]]))
    assert page.status_code == 200 and b'id="mine"' in page.content


def test_demo_rates_and_product_mix_follow_the_demo_quotes(client):
    """With pricing's and finance's demo: the plan rates categories and the
    sprint bundle, each rep's accepted quote became a won, half-collected
    deal, the current sprint's product mix counts the sprint bundle and the
    unrated services and support are the plan page's warning."""
    steps = (*STEPS[:2], "finance.demo.load.load", "pricing.demo.loader.load", STEPS[2])
    with demo_steps.only(*steps):
        call_command("load_demo")
    for slug in ("demo", "other"):
        org = Organization.objects.get(slug=slug)
        with organization_scope(org.id):
            plan = CommissionPlan.objects.get()
            assert {
                (r.category, r.bundle_id is not None) for r in plan.versions.get().rate_lines.all()
            } == {
                ("licence", False),
                ("training", False),
                ("", True),
            }, slug
            current = Sprint.objects.order_by("start").last()
            assert current.mix_bundle.code == "sprint", slug
            progress = sprint_progress(current)
            assert sum(r.figures["product_mix"].actual for r in progress.reps) > 0, slug
            gaps = plan_rate_gaps(
                CommissionPlan.objects.prefetch_related(
                    "versions__tiers", "versions__rate_lines"
                ).get()
            )
            assert gaps and {g["category"] for g in gaps} <= {"service", "support"}, slug
