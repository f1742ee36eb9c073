"""Delegation routes a step to the delegate and the history says so; each
active step runs its own SLA timer, which the escalation sweep takes."""

import datetime as dt
import re

import pytest

from collab.errors import ServiceError
from collab.tenancy import organization_scope
from requests_sla.approvals import services
from requests_sla.approvals.models import StepState
from requests_sla.approvals.tests.helpers import file_expense, steps_of
from requests_sla.escalation.services import sla_sweep
from requests_sla.sla.models import EscalationStep, SlaTimer
from requests_sla.tests.factories import MONDAY_9AM

pytestmark = pytest.mark.django_db
TODAY = dt.date(2025, 3, 3)


def test_delegation_routes_to_the_delegate_and_history_says_so(
    frozen, client_for, rep, rep2, chain, head_fin
):
    services.delegation_add(
        actor=head_fin,
        delegate_id=rep2.user_id,
        starts_on=TODAY,
        ends_on=TODAY + dt.timedelta(days=4),
    )
    request = file_expense(rep, "6000.00")
    step = steps_of(request)[0]
    assert (step.approver_id, step.on_behalf_of_id) == (rep2.user_id, head_fin.user_id)
    with pytest.raises(ServiceError):  # the delegator no longer holds the step
        services.step_act(step_id=step.pk, actor=head_fin, action="approve")
    services.step_act(step_id=step.pk, actor=rep2, action="approve")
    step.refresh_from_db()
    assert (step.state, step.actor_id) == (StepState.APPROVED, rep2.user_id)
    page = client_for(rep.user).get(f"/requests/{request.pk}/")
    text = page.content.decode()
    delegate = rep2.user.get_full_name() or rep2.user.username
    approver = head_fin.user.get_full_name() or head_fin.user.username
    assert re.search(f"{delegate} (代|on behalf of) {approver}", text)


def test_delegation_outside_its_dates_routes_to_the_approver(frozen, rep, rep2, chain, head_fin):
    services.delegation_add(
        actor=head_fin,
        delegate_id=rep2.user_id,
        starts_on=TODAY + dt.timedelta(days=1),
        ends_on=TODAY + dt.timedelta(days=2),
    )
    step = steps_of(file_expense(rep, "6000.00"))[0]
    assert (step.approver_id, step.on_behalf_of_id) == (head_fin.user_id, None)


def test_delegation_input_is_checked(frozen, rep2, head_fin, outsider_membership):
    with pytest.raises(ServiceError):
        services.delegation_add(
            actor=head_fin,
            delegate_id=rep2.user_id,
            starts_on=TODAY,
            ends_on=TODAY - dt.timedelta(1),
        )
    with pytest.raises(ServiceError):
        services.delegation_add(
            actor=head_fin, delegate_id=head_fin.user_id, starts_on=TODAY, ends_on=TODAY
        )
    with pytest.raises(ServiceError):  # another organization's user
        services.delegation_add(
            actor=head_fin,
            delegate_id=outsider_membership.user_id,
            starts_on=TODAY,
            ends_on=TODAY,
        )
    services.delegation_add(
        actor=head_fin, delegate_id=rep2.user_id, starts_on=TODAY, ends_on=TODAY
    )
    with pytest.raises(ServiceError):  # overlapping
        services.delegation_add(
            actor=head_fin, delegate_id=rep2.user_id, starts_on=TODAY, ends_on=TODAY
        )


def test_a_late_step_escalates_like_any_timer(frozen, org, rep, chain, head_fin):
    request = file_expense(rep, "6000.00")
    step = steps_of(request)[0]
    with organization_scope(org.id):
        timer = SlaTimer.objects.get(pk=step.timer_id)
    assert timer.key == f"approval-{step.pk}" and timer.kind == "milestone"
    assert timer.due_at is not None and timer.due_at > MONDAY_9AM
    frozen.move_to(timer.due_at + dt.timedelta(hours=1))
    sla_sweep()
    with organization_scope(org.id):
        levels = sorted(
            EscalationStep.objects.filter(timer_id=timer.pk).values_list("level", flat=True)
        )
    assert 2 in levels  # breached: on the agenda and notified, like any timer
    sla_sweep()
    with organization_scope(org.id):
        assert EscalationStep.objects.filter(timer_id=timer.pk).count() == len(levels)


def test_acting_stops_the_step_timer_and_the_next_starts(frozen, org, rep, chain, head_fin, admin):
    request = file_expense(rep, "60000.00")
    first = steps_of(request)[0]
    frozen.move_to(MONDAY_9AM + dt.timedelta(hours=1))
    services.step_act(step_id=first.pk, actor=head_fin, action="approve")
    first, second = steps_of(request)
    with organization_scope(org.id):
        old = SlaTimer.objects.get(pk=first.timer_id)
        new = SlaTimer.objects.get(pk=second.timer_id)
    assert old.stopped_at is not None and old.met is True
    assert new.stopped_at is None and new.started_at == MONDAY_9AM + dt.timedelta(hours=1)
