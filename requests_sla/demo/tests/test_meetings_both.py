"""Both demo organizations escalate their breached requests to a review
meeting, consistently: a meeting reviews only requests that had breached
before it was held, and a request is on a meeting's agenda once."""

import datetime as dt

import pytest
import time_machine
from django.core.management import call_command

from collab.tenancy import organization_scope
from departments.models import Organization
from departments.registry import demo_steps
from requests_sla.meetings.models import AgendaItem, ReviewMeeting

pytestmark = pytest.mark.django_db

STEPS = (
    "departments.demo.load",
    "requests_sla.demo.requests.load",
    "requests_sla.demo.history.load",
    "requests_sla.demo.escalation.load",
)


def _check(slug):
    org = Organization.objects.get(slug=slug)
    with organization_scope(org.id):
        meetings = list(ReviewMeeting.objects.all())
        assert meetings, slug
        for meeting in meetings:
            items = list(AgendaItem.objects.filter(meeting=meeting).select_related("request"))
            assert items, (slug, meeting.title)
            requests = [i.request_id for i in items]
            assert len(requests) == len(set(requests)), (slug, meeting.title)
            for item in items:
                breaches = [t.breached_at for t in item.request.timers.all() if t.breached_at]
                assert breaches and min(breaches) < meeting.scheduled_at, (slug, item.request)


def test_both_demo_organizations_have_consistent_review_meetings():
    # A Wednesday, 10:00 in Shanghai.
    with (
        time_machine.travel(dt.datetime(2025, 3, 5, 2, tzinfo=dt.UTC), tick=False),
        demo_steps.only(*STEPS),
    ):
        call_command("load_demo")
        _check("demo")
        _check("other")
