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
