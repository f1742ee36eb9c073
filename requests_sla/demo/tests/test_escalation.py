"""The demo step of issue 4: a closed past meeting with classified items and
action items, an upcoming meeting filled by the sweep; loading twice adds nothing."""

import datetime as dt

import pytest
import time_machine
from django.core.management import call_command

from collab.tenancy import organization_scope
from departments.models import Organization
from requests_sla.demo.escalation import PAST_TITLE, load
from requests_sla.meetings.models import ActionItem, AgendaItem, MeetingStatus, ReviewMeeting
from requests_sla.meetings.selectors import overdue_action_items_for
from requests_sla.sla.models import EscalationStep


def _snapshot(org):
    with organization_scope(org.id):
        return (
            ReviewMeeting.objects.count(),
            AgendaItem.objects.count(),
            ActionItem.objects.count(),
            EscalationStep.objects.count(),
        )


@pytest.mark.django_db
def test_demo_has_a_classified_past_meeting_an_upcoming_agenda_and_is_idempotent():
    # A Wednesday, 10:00 in Shanghai; the clock stands still so the second
    # load sees exactly the timers the first one saw.
    with time_machine.travel(dt.datetime(2025, 3, 5, 2, tzinfo=dt.UTC), tick=False):
        _check_demo()


def _check_demo():
    call_command("load_demo")
    org = Organization.objects.get(slug="demo")
    with organization_scope(org.id):
        past = ReviewMeeting.objects.get(title=PAST_TITLE)
        assert past.status == MeetingStatus.CLOSED
        causes = sorted(past.agenda.values_list("root_cause", flat=True))
        assert causes == ["objective", "subjective"]
        objective = past.agenda.get(root_cause="objective")
        assert [a.done_at is not None for a in objective.actions.all()] == [True]
        overdue = list(overdue_action_items_for(_user(org, "head-rnd")))
        assert [a.agenda_item.meeting_id for a in overdue] == [past.pk]
        upcoming = ReviewMeeting.objects.get(status=MeetingStatus.SCHEDULED)
        assert upcoming.agenda.exists()
        assert all(
            i.request.timers.filter(state="breached").exists() for i in upcoming.agenda.all()
        )
        # Consistent: the past meeting reviews requests breached before it was
        # held, and a request reviewed there is not on the upcoming one too.
        for item in past.agenda.all():
            first_breach = min(
                t.breached_at for t in item.request.timers.all() if t.breached_at is not None
            )
            assert first_breach < past.scheduled_at
        reviewed = set(past.agenda.values_list("request_id", flat=True))
        assert not reviewed & set(upcoming.agenda.values_list("request_id", flat=True))
        per_request = AgendaItem.objects.exclude(root_cause="").values_list("request_id", flat=True)
        assert len(list(per_request)) == len(set(per_request))
        _check_customers_are_accounts()
    # Steps after this one (pipeline's demo) file more requests: let the
    # step see them once, then running it again must add nothing.
    load(organization=org, key="demo")
    before = _snapshot(org)
    load(organization=org, key="demo")
    call_command("load_demo")
    load(organization=org, key="demo")
    assert _snapshot(org) == before
    with organization_scope(org.id):
        assert ReviewMeeting.objects.filter(title=PAST_TITLE).count() == 1


def _check_customers_are_accounts():
    """The customers demo requests name are accounts the search finds."""
    from pipeline.accounts.models import Account
    from requests_sla.demo.history import CUSTOMERS
    from requests_sla.requests.models import Request

    names = list(Account.objects.values_list("name", flat=True))
    for customer in CUSTOMERS["zh"]:
        assert any(customer in name for name in names), customer
    for value in Request.objects.exclude(extra__customer_name=None).values_list(
        "extra__customer_name", flat=True
    ):
        assert value in names, value


def _user(org, username):
    from departments.models import Membership

    return Membership.objects.get(user__username=username).user
