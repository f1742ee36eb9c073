"""End to end (issue 14): a sprint budget reservation request, approved by
Finance's head, ends in a reservation against the right budget, which the
sprint page offers to link and then shows as its reservation."""

from decimal import Decimal

import pytest
from django.urls import reverse

from collab.tenancy import organization_scope
from finance.budgets.models import Budget, BudgetLine
from finance.budgets.services import budget_set
from finance.budgets.tests.sprint_helpers import file_sprint_request, sprint_chain
from requests_sla.approvals import services as approvals
from requests_sla.approvals.models import ApprovalStep, StepState

pytestmark = pytest.mark.django_db


def test_approved_sprint_budget_request_is_the_sprints_reservation(
    client_for, org, hr, head_fin, head_biz, sprint, today
):
    budget = budget_set(
        actor=head_fin,
        department=head_biz.department,
        period_start=today,
        amount=Decimal("100000.00"),
    )
    sprint_chain(org)
    request = file_sprint_request(head_biz, "30000.00")
    with organization_scope(org.id):
        step = ApprovalStep.objects.get(request_id=request.pk, state=StepState.PENDING)
    approvals.step_act(step_id=step.pk, actor=head_fin, action="approve")
    with organization_scope(org.id):
        line = BudgetLine.objects.get(request_id=request.pk)
        assert line.budget_id == budget.pk
        assert Budget.objects.get(pk=budget.pk).available == Decimal("70000.00")

    client = client_for(hr.user)
    url = reverse("incentives:sprint", args=[sprint.pk])
    assert f'<option value="{line.pk}">' in client.get(url).content.decode()
    client.post(reverse("incentives:reservation_link", args=[sprint.pk]), {"line_id": line.pk})
    body = client.get(url).content.decode()
    assert "30,000.00" in body and line.label in body
