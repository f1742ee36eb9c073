"""A sprint budget reservation request ends, when approved, in a reservation
against the right budget (the requesting department's, for the quarter the
sprint names); a budget that cannot take it refuses the approval."""

import datetime as dt
from decimal import Decimal

import pytest

from collab.errors import ServiceError
from collab.tenancy import organization_scope
from finance.budgets.models import (
    Budget,
    BudgetLine,
    LineKind,
    quarter_end,
    quarter_label,
    quarter_start,
)
from finance.budgets.services import budget_set
from finance.budgets.sprint_requests import sprint_quarter
from finance.budgets.tests.sprint_helpers import file_sprint_request, sprint_chain
from requests_sla.approvals import services as approvals
from requests_sla.approvals.models import ApprovalStep, FlowState, StepState
from requests_sla.approvals.tests.helpers import flow_of

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026 Q4", dt.date(2026, 10, 1)),
        ("Q2 2027", dt.date(2027, 4, 1)),
        ("2025-q1", dt.date(2025, 1, 1)),
        ("2025 年第四季度", dt.date(2025, 10, 1)),
        ("2026年第2季度", dt.date(2026, 4, 1)),
        ("春季冲刺", None),
        ("", None),
        ("1999 Q1", None),
    ],
)
def test_the_sprint_period_names_a_quarter(text, expected):
    assert sprint_quarter(text) == expected


def _pending(request):
    with organization_scope(request.organization_id):
        return ApprovalStep.objects.get(request_id=request.pk, state=StepState.PENDING)


def test_approved_request_reserves_on_the_requesting_departments_budget(
    org, rep, head_fin, budget, today
):
    sprint_chain(org)
    # Another department's budget this quarter is not the right one.
    budget_set(
        actor=head_fin,
        department=head_fin.department,
        period_start=today,
        amount=Decimal("900000.00"),
    )
    request = file_sprint_request(rep, "30000.00")
    with organization_scope(org.id):
        assert not BudgetLine.objects.filter(request_id=request.pk).exists()
    approvals.step_act(step_id=_pending(request).pk, actor=head_fin, action="approve")
    with organization_scope(org.id):
        line = BudgetLine.objects.get(request_id=request.pk)
        assert (line.budget_id, line.kind, line.amount) == (
            budget.pk,
            LineKind.RESERVATION,
            Decimal("30000.00"),
        )
        assert line.expires_on == quarter_end(quarter_start(today))
        assert Budget.objects.get(pk=budget.pk).reserved == Decimal("30000.00")
        assert flow_of(request).state == FlowState.APPROVED


def test_the_sprint_period_picks_next_quarters_budget(org, rep, head_fin, budget, today):
    sprint_chain(org)
    start = quarter_start(quarter_end(quarter_start(today)) + dt.timedelta(days=1))
    later = budget_set(
        actor=head_fin, department=rep.department, period_start=start, amount=Decimal("50000")
    )
    request = file_sprint_request(rep, "20000.00", quarter_label(start))
    approvals.step_act(step_id=_pending(request).pk, actor=head_fin, action="approve")
    with organization_scope(org.id):
        assert BudgetLine.objects.get(request_id=request.pk).budget_id == later.pk
        assert Budget.objects.get(pk=budget.pk).reserved == Decimal("0.00")


def test_beyond_the_budget_or_without_one_the_approval_is_refused_and_nothing_written(
    org, rep, head_fin, budget
):
    sprint_chain(org)
    request = file_sprint_request(rep, "100000.01")
    step = _pending(request)
    with pytest.raises(ServiceError, match="超出可用预算"):
        approvals.step_act(step_id=step.pk, actor=head_fin, action="approve")
    far = file_sprint_request(rep, "10.00", "2031 Q1")
    with pytest.raises(ServiceError, match="没有人民币预算"):
        approvals.step_act(step_id=_pending(far).pk, actor=head_fin, action="approve")
    with organization_scope(org.id):
        assert _pending(request).pk == step.pk  # still waiting for the head
        assert not BudgetLine.objects.exists()
        assert Budget.objects.get(pk=budget.pk).reserved == Decimal("0.00")


def test_an_expense_approval_is_not_a_reservation(org, rep, head_fin, chain, budget):
    from requests_sla.approvals.tests.helpers import file_expense

    request = file_expense(rep, "6000.00")
    approvals.step_act(step_id=_pending(request).pk, actor=head_fin, action="approve")
    with organization_scope(org.id):
        assert not BudgetLine.objects.filter(kind=LineKind.RESERVATION).exists()
