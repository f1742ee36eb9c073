"""The demo step fills both organizations (budgets for every department, the
sprint's reservation, expenses approved and one pending for Finance's head,
plans, invoices, payments, overdue invoices with warnings); twice adds nothing."""

import pytest
from django.core.management import call_command

from collab.tenancy import organization_scope
from departments.models import Department, Organization
from departments.registry import demo_steps
from finance.models import (
    Budget,
    BudgetLine,
    Expense,
    ExpenseLine,
    ExpenseState,
    Invoice,
    Milestone,
    Payment,
    RiskWarning,
)
from requests_sla.approvals.models import ApprovalStep, StepState

pytestmark = pytest.mark.django_db


def _figures(slug):
    org = Organization.objects.get(slug=slug)
    with organization_scope(org.id):
        return {
            "budgets": Budget.objects.count(),
            "departments": Department.objects.count(),
            "reservations": BudgetLine.objects.filter(kind="reservation").count(),
            "requested": BudgetLine.objects.filter(
                kind="reservation", request__isnull=False, budget__department__code="business"
            ).count(),
            "expense_states": sorted(set(Expense.objects.values_list("state", flat=True))),
            "pending_for": set(
                ApprovalStep.objects.filter(
                    state=StepState.PENDING,
                    request_id__in=Expense.objects.values("request_id"),
                ).values_list("approver__username", flat=True)
            ),
            "plans": Milestone.objects.values("opportunity").distinct().count(),
            "invoices": Invoice.objects.count(),
            "payments": Payment.objects.count(),
            "rules": sorted(set(RiskWarning.objects.values_list("rule", flat=True))),
            "deal_costs": ExpenseLine.objects.filter(
                opportunity__isnull=False, expense__state=ExpenseState.APPROVED
            ).count(),
        }


def test_demo_finance_in_both_organizations():
    steps = (
        "departments.demo.load",
        "pipeline.demo.customers.load",
        "requests_sla.approvals.demo.load",
        "finance.demo.load.load",
    )
    with demo_steps.only(*steps):
        call_command("load_demo")
        demo, other = _figures("demo"), _figures("other")
        for figures, fin in ((demo, "head-fin"), (other, "other-fin")):
            assert figures["budgets"] == figures["departments"]
            assert figures["reservations"] == figures["requested"] == 1
            assert figures["expense_states"] == [ExpenseState.APPROVED, ExpenseState.SUBMITTED]
            assert figures["pending_for"] == {fin}
            assert figures["plans"] >= 3 and figures["invoices"] >= 5 and figures["payments"] >= 3
            assert {"overdue", "partial", "no_plan"} <= set(figures["rules"])
            assert figures["deal_costs"] == 1
        call_command("load_demo")
        assert _figures("demo") == demo


def test_demo_campaigns_have_approved_linked_expenses_within_their_budgets():
    """In both organizations, enablement's demo campaigns carry Marketing's
    (and the Business booth's) approved expenses: each campaign's cost is
    booked, below its budget, and on the campaign page's figures."""
    from enablement.models import Campaign
    from finance.expenses.campaign_cost import campaign_cost
    from finance.tests.helpers import DEMO_STEPS

    with demo_steps.only(*DEMO_STEPS):
        call_command("load_demo")
    for slug in ("demo", "other"):
        org = Organization.objects.get(slug=slug)
        with organization_scope(org.id):
            costs = {c.title_zh: campaign_cost(c) for c in Campaign.objects.all()}
            pending = ExpenseLine.objects.filter(
                campaign__isnull=False, expense__state=ExpenseState.SUBMITTED
            ).count()
        assert len(costs) == 2 and pending == 0
        for title, cost in costs.items():
            [booked] = cost.booked
            assert booked.currency == cost.budget.currency == "CNY", title
            assert 0 < booked.amount < cost.budget.amount, title
            assert cost.remaining.amount > 0 and cost.roi, title
        webinar = costs["金融行业数据安全线上研讨会"]
        assert webinar.booked[0].amount == 24400 and webinar.roi[0].pct > 0  # a won deal
        assert costs["智能制造解决方案发布会"].booked[0].amount == 54500
