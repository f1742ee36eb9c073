"""The demo's campaigns and course load in both organizations, once."""

import pytest

from collab.tenancy import organization_scope
from departments.registry import demo_steps
from departments.tests.factories import OrganizationFactory
from enablement.campaigns import selectors as campaign_selectors
from enablement.models import Campaign, CampaignResponse, Course, CourseSession, Enrolment
from enablement.training.services import calendar_conflict, session_calendar

pytestmark = pytest.mark.django_db
STEPS = (
    "departments.demo.load",
    "requests_sla.demo.requests.load",
    "pipeline.demo.customers.load",
    "enablement.demo.library.load",
    "enablement.demo.programs.load",
)


@pytest.mark.parametrize("key", ["demo", "other"])
def test_demo_campaigns_and_course_in_both_organizations(key):
    org = OrganizationFactory(slug=f"prog-{key}")
    with demo_steps.only(*STEPS):
        for _ in range(2):  # idempotent
            for step in demo_steps:
                step.run(organization=org, key=key)
    with organization_scope(org.id):
        assert Campaign.objects.count() == 2
        assert CampaignResponse.objects.filter(lead__isnull=False).count() == 3
        rows = campaign_selectors.campaigns_report()
        assert sum(r.figures.won for r in rows) == 1
        assert any(r.figures.revenue for r in rows)
        assert all(r.campaign.ends_on < org.created_at.date() for r in rows)
        assert Course.objects.count() == 1
        sessions = list(CourseSession.objects.order_by("starts_at"))
        assert len(sessions) == 3
        # Two on working days, in working hours, in both organizations; the
        # third off the calendar, with the override recorded.
        author = Course.objects.get().created_by.memberships.get(organization=org)
        for session in sessions:
            calendar = session_calendar(author, session.starts_at)
            conflict = calendar_conflict(calendar, session.starts_at, session.ends_at)
            assert session.outside_hours is (conflict is not None)
            assert session.created_by_id == author.user_id
        assert [s.outside_hours for s in sessions] == [False, False, True]
        assert sessions[0].starts_at < org.created_at < sessions[1].starts_at
        assert Enrolment.objects.count() >= 2
        assert Enrolment.objects.filter(completed_at__isnull=False).count() >= 1
