"""Writes of budgets: set a department's quarter, reserve, release, book.

Every move of ``reserved``/``consumed`` locks the budget's row first
(``SELECT ... FOR UPDATE``), reads the totals under the lock and refuses an
amount beyond what is available; ``budget_not_overspent`` backs it in the
database. Reservations and bookings are therefore safe against two
processes approving at the same moment.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from collab.errors import ServiceError
from collab.money import format_money, round_money
from collab.tenancy import organization_scope
from departments.models import Department, Membership
from finance.budgets.models import Budget, BudgetLine, LineKind, LineState, quarter_start
from finance.permissions import is_finance


def _require_finance(actor: Membership) -> None:
    if not is_finance(actor):
        raise ServiceError(_("只有财务可以修改预算。"))


def _positive(amount: Decimal, field: str = "amount") -> Decimal:
    if amount is None or amount <= 0:
        raise ServiceError(_("金额必须大于零。"), field=field)
    return round_money(amount)


def budget_set(
    *,
    actor: Membership,
    department: Department,
    period_start: dt.date,
    amount: Decimal,
    currency: str = "CNY",
    note: str = "",
) -> Budget:
    """Create or change a department's budget for the quarter of ``period_start``;
    never below what is already reserved and consumed."""
    _require_finance(actor)
    if amount is None or amount < 0:
        raise ServiceError(_("金额不能为负数。"), field="amount")
    start = quarter_start(period_start)
    with organization_scope(actor.organization_id), transaction.atomic():
        if department.organization_id != actor.organization_id:
            raise ServiceError(_("部门不存在。"), field="department")
        budget, _created = Budget.objects.select_for_update().get_or_create(
            organization_id=actor.organization_id,
            department=department,
            period_start=start,
            currency=currency,
            defaults={"amount": round_money(amount), "note": note},
        )
        if budget.reserved + budget.consumed > amount:
            raise ServiceError(
                _("预算不能低于已预留和已使用的合计 %(used)s。")
                % {"used": format_money(budget.reserved + budget.consumed, currency)},
                field="amount",
            )
        budget.amount, budget.note = round_money(amount), note or budget.note
        budget.save(update_fields=["amount", "note"])
        return budget


def budget_for(department_id: int, day: dt.date, currency: str) -> Budget | None:
    """The department's budget for the quarter of ``day`` (in scope)."""
    return Budget.objects.filter(
        department_id=department_id, period_start=quarter_start(day), currency=currency
    ).first()


def _draw(budget_id: int, amount: Decimal, kind: str) -> Budget:
    """Lock the budget and move its total, or refuse when not available."""
    budget = Budget.objects.select_for_update().get(pk=budget_id)
    if amount > budget.available:
        raise ServiceError(
            _("超出可用预算：可用 %(available)s，本次 %(amount)s。")
            % {
                "available": format_money(budget.available, budget.currency),
                "amount": format_money(amount, budget.currency),
            },
            field="amount",
        )
    if kind == LineKind.RESERVATION:
        budget.reserved += amount
    else:
        budget.consumed += amount
    try:
        with transaction.atomic():
            budget.save(update_fields=["reserved", "consumed"])
    except IntegrityError:  # the constraint, should a writer ever skip the lock
        raise ServiceError(_("超出可用预算。"), field="amount") from None
    return budget


def reservation_make(
    *,
    actor: Membership | None,
    budget_id: int,
    amount: Decimal,
    label: str,
    expires_on: dt.date | None = None,
    request_id: int | None = None,
    at: dt.datetime | None = None,
    organization_id: int | None = None,
) -> BudgetLine:
    """Set money aside on a budget (预留), e.g. for a sprint's awards.
    ``actor`` None: the approval of a reservation request, already checked."""
    if actor is not None:
        _require_finance(actor)
    org_id = actor.organization_id if actor is not None else organization_id
    if org_id is None:
        raise ServiceError(_("预算不存在。"), field="budget")
    amount = _positive(amount)
    label = (label or "").strip()[:200]
    if not label:
        raise ServiceError(_("请填写用途。"), field="label")
    with organization_scope(org_id), transaction.atomic():
        if not Budget.objects.filter(pk=budget_id).exists():
            raise ServiceError(_("预算不存在。"), field="budget")
        budget = _draw(budget_id, amount, LineKind.RESERVATION)
        return BudgetLine.objects.create(
            organization_id=org_id,
            budget=budget,
            kind=LineKind.RESERVATION,
            amount=amount,
            currency=budget.currency,
            label=label,
            expires_on=expires_on,
            request_id=request_id,
            created_by_id=actor.user_id if actor is not None else None,
            created_at=at or timezone.now(),
        )


def reservation_release(*, actor: Membership | None, line_id: int, organization_id: int) -> None:
    """Give a reservation's money back (used, cancelled or expired)."""
    if actor is not None:
        _require_finance(actor)
    with organization_scope(organization_id), transaction.atomic():
        line = BudgetLine.objects.select_for_update().get(pk=line_id, kind=LineKind.RESERVATION)
        if line.state == LineState.RELEASED:
            return
        budget = Budget.objects.select_for_update().get(pk=line.budget_id)
        budget.reserved -= line.amount
        budget.save(update_fields=["reserved"])
        line.state = LineState.RELEASED
        line.save(update_fields=["state"])


def reservations_expire(*, organization_id: int, today: dt.date) -> int:
    """Release every reservation whose expiry has passed (the nightly task)."""
    with organization_scope(organization_id):
        ids = list(
            BudgetLine.objects.filter(
                kind=LineKind.RESERVATION, state=LineState.ACTIVE, expires_on__lt=today
            ).values_list("pk", flat=True)
        )
    for line_id in ids:
        reservation_release(actor=None, line_id=line_id, organization_id=organization_id)
    return len(ids)


def booking_make(
    *,
    organization_id: int,
    budget_id: int,
    amount: Decimal,
    label: str,
    expense_id: int,
    at: dt.datetime,
) -> BudgetLine:
    """Consume budget for an approved expense (in the approval's transaction)."""
    amount = _positive(amount)
    with organization_scope(organization_id), transaction.atomic():
        budget = _draw(budget_id, amount, LineKind.CONSUMPTION)
        return BudgetLine.objects.create(
            organization_id=organization_id,
            budget=budget,
            kind=LineKind.CONSUMPTION,
            amount=amount,
            currency=budget.currency,
            label=label[:200],
            expense_id=expense_id,
            created_at=at,
        )
