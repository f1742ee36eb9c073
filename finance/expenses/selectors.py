"""Reads of expenses: a member's own, Finance's all and those to pay."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from collab.money import Money, totals_by_currency
from departments.models import Membership
from finance.expenses.models import Expense, ExpenseLine, ExpenseState
from finance.permissions import sees_all_finance


def expenses_visible_to(membership: Membership) -> QuerySet[Expense]:
    qs = Expense.objects.select_related("request", "requester", "department")
    if sees_all_finance(membership):
        return qs
    return qs.filter(requester_id=membership.user_id)


def expenses_to_pay() -> QuerySet[Expense]:
    return (
        Expense.objects.filter(state=ExpenseState.APPROVED)
        .select_related("request", "requester", "department")
        .prefetch_related(
            Prefetch("lines", queryset=ExpenseLine.objects.select_related("category", "campaign"))
        )
        .order_by("approved_at", "id")
    )


BOOKED = (ExpenseState.APPROVED, ExpenseState.PAID)


def _booked_lines(**link: int) -> list[ExpenseLine]:
    return list(
        ExpenseLine.objects.filter(**link, expense__state__in=BOOKED)
        .select_related("category", "expense__request")
        .order_by("date", "id")
    )


def opportunity_cost(opportunity_id: int) -> list[ExpenseLine]:
    """The approved (or paid) expense lines booked for a deal: its cost.
    A pending or rejected expense is not a cost yet."""
    return _booked_lines(opportunity_id=opportunity_id)


def campaign_cost_lines(campaign_id: int) -> list[ExpenseLine]:
    """The approved (or paid) expense lines booked for a campaign (one query)."""
    return _booked_lines(campaign_id=campaign_id)


def cost_totals(lines: list[ExpenseLine]) -> list[Money]:
    """The lines' total per currency (never summed across currencies)."""
    totals = totals_by_currency(Money(line.amount, line.currency) for line in lines)
    return [totals[c] for c in sorted(totals)]
