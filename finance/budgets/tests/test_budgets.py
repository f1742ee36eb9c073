"""Budget arithmetic: available = budget − reserved − consumed, never below
zero; reservations refused beyond it; only Finance writes."""

import datetime as dt
from decimal import Decimal

import pytest

from collab.errors import ServiceError
from collab.tenancy import organization_scope
from finance.budgets import services
from finance.budgets.models import (
    Budget,
    BudgetLine,
    LineState,
    quarter_end,
    quarter_label,
    quarter_start,
)

pytestmark = pytest.mark.django_db


def test_quarter_bounds():
    assert quarter_start(dt.date(2026, 11, 27)) == dt.date(2026, 10, 1)
    assert quarter_end(dt.date(2026, 10, 1)) == dt.date(2026, 12, 31)
    assert quarter_end(dt.date(2026, 1, 1)) == dt.date(2026, 3, 31)
    assert [quarter_label(dt.date(2026, m, 15)) for m in (1, 3, 4, 9, 10, 12)] == [
        "2026 Q1",
        "2026 Q1",
        "2026 Q2",
        "2026 Q3",
        "2026 Q4",
        "2026 Q4",
    ]


def test_reservation_reduces_available_and_release_gives_it_back(org, head_fin, budget):
    line = services.reservation_make(
        actor=head_fin, budget_id=budget.pk, amount=Decimal("30000.00"), label="Q4 冲刺奖励"
    )
    budget.refresh_from_db()
    assert (budget.reserved, budget.available) == (Decimal("30000.00"), Decimal("70000.00"))
    services.reservation_release(actor=head_fin, line_id=line.pk, organization_id=org.id)
    services.reservation_release(actor=head_fin, line_id=line.pk, organization_id=org.id)
    budget.refresh_from_db()
    assert budget.available == Decimal("100000.00")
    with organization_scope(org.id):
        assert BudgetLine.objects.get(pk=line.pk).state == LineState.RELEASED


def test_reservation_beyond_available_is_refused_and_writes_nothing(org, head_fin, budget):
    services.reservation_make(
        actor=head_fin, budget_id=budget.pk, amount=Decimal("80000.00"), label="冲刺"
    )
    with pytest.raises(ServiceError, match="超出可用预算"):
        services.reservation_make(
            actor=head_fin, budget_id=budget.pk, amount=Decimal("20000.01"), label="活动"
        )
    with organization_scope(org.id):
        assert BudgetLine.objects.count() == 1
        assert Budget.objects.get(pk=budget.pk).reserved == Decimal("80000.00")


@pytest.mark.parametrize("amount", ["0", "-5.00"])
def test_reservation_needs_a_positive_amount(head_fin, budget, amount):
    with pytest.raises(ServiceError) as caught:
        services.reservation_make(
            actor=head_fin, budget_id=budget.pk, amount=Decimal(amount), label="x"
        )
    assert caught.value.field == "amount"


def test_only_finance_writes_budgets(rep, head_mkt, budget):
    for actor in (rep, head_mkt):
        with pytest.raises(ServiceError):
            services.reservation_make(
                actor=actor, budget_id=budget.pk, amount=Decimal("1.00"), label="x"
            )


def test_budget_cannot_drop_below_what_is_used(head_fin, budget, rep):
    services.reservation_make(
        actor=head_fin, budget_id=budget.pk, amount=Decimal("60000.00"), label="冲刺"
    )
    with pytest.raises(ServiceError, match="不能低于"):
        services.budget_set(
            actor=head_fin,
            department=rep.department,
            period_start=budget.period_start,
            amount=Decimal("50000.00"),
        )


def test_expired_reservations_are_released(org, head_fin, budget, today):
    services.reservation_make(
        actor=head_fin,
        budget_id=budget.pk,
        amount=Decimal("5000.00"),
        label="活动",
        expires_on=today - dt.timedelta(days=1),
    )
    assert services.reservations_expire(organization_id=org.id, today=today) == 1
    budget.refresh_from_db()
    assert budget.reserved == Decimal("0.00")


def test_a_foreign_budget_is_not_found(head_fin, outsider_membership, other_org):
    foreign = services.budget_set(
        actor=outsider_membership,
        department=outsider_membership.department or _any_department(other_org),
        period_start=dt.date.today(),  # noqa: DTZ011
        amount=Decimal("10.00"),
    )
    with pytest.raises(ServiceError, match="预算不存在"):
        services.reservation_make(
            actor=head_fin, budget_id=foreign.pk, amount=Decimal("1.00"), label="x"
        )


def _any_department(organization):
    from departments.models import Department

    with organization_scope(organization.id):
        return Department.objects.first()
