"""The Finance page's approval-time figures, on a hand-computed case.

The working calendar is 09:00–12:00 and 13:00–18:00 (Asia/Shanghai),
Monday to Friday. Three 6,000 expenses filed Monday 09:00 wait for
Finance's head (4 working hours):

* approved Monday 10:00 → 60 working minutes (in SLA)
* approved Monday 13:30 → 180 + 30 = 210 minutes (in SLA)
* approved Tuesday 10:00 → 480 + 60 = 540 minutes (late)

median = 210 min = 3.5 h; p90 (percentile_cont) = 210 + 0.8 × (540 − 210)
= 474 min = 7.9 h; within SLA 2 of 3 = 66.7 %. One 60,000 expense also
needs the admin: its first step approved Monday 11:00 (120 min, in SLA),
its second (activated then) approved Monday 11:30 (30 min)."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from collab.tenancy import organization_scope
from finance.expenses.approval_times import approval_times
from requests_sla.approvals import services
from requests_sla.approvals.tests.helpers import file_expense, steps_of
from requests_sla.tests.factories import MONDAY_9AM

pytestmark = pytest.mark.django_db
H = dt.timedelta(hours=1)


def _approve(step, actor, at):
    with time_machine.travel(at, tick=False):
        services.step_act(step_id=step.pk, actor=actor, action="approve")


@pytest.fixture
def decided(org, rep, chain, head_fin, admin):
    with time_machine.travel(MONDAY_9AM, tick=False):
        small = [file_expense(rep, "6000.00") for _ in range(3)]
        large = file_expense(rep, "60000.00")
    for request, at in zip(small, (H, 4.5 * H, 25 * H), strict=True):
        _approve(steps_of(request)[0], head_fin, MONDAY_9AM + at)
    _approve(steps_of(large)[0], head_fin, MONDAY_9AM + 2 * H)
    _approve(steps_of(large)[1], admin, MONDAY_9AM + 2.5 * H)
    return org


def test_median_p90_and_share_within_sla_per_step(decided, django_assert_num_queries):
    with organization_scope(decided.id), django_assert_num_queries(1):
        times = approval_times(now=MONDAY_9AM + 30 * H)
    head, admin_step = times.steps
    assert (head.position, head.approved, head.within_sla) == (0, 4, 3)
    # The head's four: 60, 120, 210, 540 minutes.
    assert head.median_hours == Decimal("2.8")  # (120 + 210) / 2 = 165 min
    assert head.p90_hours == Decimal("7.4")  # 210 + 0.7 × 330 = 441 min = 7.35 h
    assert head.within_sla_pct == Decimal("75.0")
    assert (admin_step.approved, admin_step.median_hours, admin_step.p90_hours) == (
        1,
        Decimal("0.5"),
        Decimal("0.5"),
    )
    assert times.approved == 5 and times.within_sla_pct == Decimal("80.0")


def test_only_the_three_small_ones_hand_computed(org, rep, chain, head_fin, admin):
    with time_machine.travel(MONDAY_9AM, tick=False):
        small = [file_expense(rep, "6000.00") for _ in range(3)]
    for request, at in zip(small, (H, 4.5 * H, 25 * H), strict=True):
        _approve(steps_of(request)[0], head_fin, MONDAY_9AM + at)
    with organization_scope(org.id):
        (head,) = approval_times(now=MONDAY_9AM + 30 * H).steps
    assert head.median_hours == Decimal("3.5")
    assert head.p90_hours == Decimal("7.9")
    assert head.within_sla_pct == Decimal("66.7")


def test_steps_decided_before_the_window_or_in_another_org_are_not_counted(
    decided, outsider_membership
):
    with organization_scope(decided.id):
        assert approval_times(now=MONDAY_9AM + dt.timedelta(days=200)).steps == []
    with organization_scope(outsider_membership.organization_id):
        assert approval_times(now=MONDAY_9AM + 30 * H).steps == []


def test_the_expenses_page_shows_the_figures(client_for, rep, decided):
    with time_machine.travel(MONDAY_9AM + 30 * H, tick=False):
        response = client_for(rep.user).get("/finance/expenses/")
    html = response.content.decode()
    assert 'id="approval-times"' in html
    assert "Finance head" in html and "80.0%" in html
