"""Reads of budgets: who sees which (Finance, ops and the admin all; a
department head their own department's)."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from departments.models import Membership
from finance.budgets.models import Budget, BudgetLine, quarter_start
from finance.permissions import can_view_budgets, sees_all_finance


def budgets_visible_to(membership: Membership, day: dt.date) -> QuerySet[Budget]:
    qs = Budget.objects.filter(period_start=quarter_start(day)).select_related("department")
    if sees_all_finance(membership):
        return qs.order_by("department__sort_order", "department__code")
    if can_view_budgets(membership):
        return qs.filter(department_id=membership.department_id)
    return qs.none()


def budget_lines(budget_ids: list[int]) -> dict[int, list[BudgetLine]]:
    lines: dict[int, list[BudgetLine]] = {pk: [] for pk in budget_ids}
    for line in BudgetLine.objects.filter(budget_id__in=budget_ids).order_by("-created_at", "-id"):
        lines[line.budget_id].append(line)
    return lines
