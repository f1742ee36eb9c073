"""The credit rollups (kept by PostgreSQL triggers) against the deals and
payments they sum (``figures``' direct aggregates), after every kind of
write: deals won, lost, reassigned; an open deal's forecast; payments
recorded and deleted; an invoice changing owner; a stage's flags changing;
the organization's timezone changing; and a rebuild."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from collab.tenancy import organization_scope
from departments.models import Organization
from finance.models import Invoice, Payment
from incentives.sprints import figures, rollups
from incentives.tests.helpers import open_deal, paid, won
from pipeline.opportunities import services as opps
from pipeline.opportunities.models import Opportunity, Stage

pytestmark = pytest.mark.django_db


def _direct(sprint, users, today):
    args = (users, sprint.start, sprint.end, sprint.currency)
    ahead = (users, max(today, sprint.start), sprint.end, sprint.currency)
    return (
        figures.won_by_owner(*args),
        figures.collected_by_owner(*args),
        figures.forecast_by_owner(*ahead),
    )


def _rolled(sprint, users, today):
    sums = rollups.sums_by_owner(
        sprint.organization_id,
        users,
        (sprint.start, sprint.end),
        (max(today, sprint.start), sprint.end),
        sprint.currency,
    )
    return sums.won, sums.collected, sums.forecast


def test_the_rollups_equal_the_deals_and_payments_after_every_write(
    org, head_fin, sprint, rep, rep2, today
):
    users = [rep.user_id, rep2.user_id]

    def check():
        with organization_scope(org.id):
            direct, rolled = _direct(sprint, users, today), _rolled(sprint, users, today)
        assert rolled == direct
        return rolled

    first = won(org, rep, "80000.10", days_ago=29)
    second = won(org, rep2, "50000.05", days_ago=2)
    won(org, rep, "7000", days_ago=45)  # before the sprint: not counted
    open_deal(org, rep, "12345.67", today + dt.timedelta(days=10))
    open_deal(org, rep2, "999.99", today + dt.timedelta(days=45))  # after the sprint
    payment = paid(head_fin, first, "30000", on=today - dt.timedelta(days=3))
    paid(head_fin, second, "123.45", on=today)
    assert check()[0][rep.user_id] == Decimal("80000.10")
    with organization_scope(org.id):
        opps.opportunity_move(
            opportunity=second,
            stage=Stage.objects.get(is_lost=True),
            actor=rep2.user,
            lost_reason="price",
        )
        Opportunity.objects.filter(pk=first.pk).update(owner=rep2.user)
        Invoice.objects.filter(pk=payment.invoice_id).update(owner=rep2.user)
        Payment.objects.filter(invoice__opportunity=second).delete()
    check()
    with organization_scope(org.id):
        stage = Stage.objects.filter(is_won=False, is_lost=False).order_by("order").first()
        Stage.objects.filter(pk=stage.pk).update(is_lost=True)
        check()
        Stage.objects.filter(pk=stage.pk).update(is_lost=False)
    assert check()[2]
    with organization_scope(org.id):
        Organization.objects.filter(pk=org.pk).update(timezone="America/New_York")
    with timezone.override("America/New_York"):
        check()
    with organization_scope(org.id):
        before = _rolled(sprint, users, today)
        rollups.rollups_rebuild(org.id)
        assert _rolled(sprint, users, today) == before
