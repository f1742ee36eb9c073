"""Writes of expenses: the policy check, filing an expense (its request, its
lines, its receipts) and booking it against the budget on final approval.

Filing is one transaction: the request is filed through the request engine
(its approval chain starts there, on the total in ``extra["amount"]``), the
lines and receipts are written with it, and an expense whose chain needs no
approver (every step's condition false) is booked at once. Every upload is
checked before anything is written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from collab.errors import ServiceError
from collab.money import format_money, round_money
from collab.tenancy import organization_scope
from departments.models import Membership
from enablement.campaigns.models import Campaign
from finance.budgets.services import booking_make, budget_for
from finance.expenses.models import Expense, ExpenseCategory, ExpenseKind, ExpenseLine, ExpenseState
from finance.permissions import is_finance
from pipeline.opportunities.models import Opportunity
from pipeline.opportunities.selectors import opportunities_visible_to
from requests_sla.approvals.models import ApprovalFlow, ApprovalStep, FlowState
from requests_sla.catalog.models import RequestType
from requests_sla.requests.models import Request
from requests_sla.requests.services import request_file
from requests_sla.requests.services.common import attachment_store, attachment_validate

EXPENSE_TYPE = "fin_expense_approval"


@dataclass
class LineInput:
    date: dt.date
    category_id: int
    amount: Decimal
    currency: str = "CNY"
    units: Decimal = Decimal("1")
    description: str = ""
    opportunity_id: int | None = None
    campaign_id: int | None = None
    # Free text naming a campaign (the API's old ``campaign``), kept as written.
    campaign_note: str = ""
    over_limit_reason: str = ""
    receipt: UploadedFile | None = field(default=None, repr=False)


@dataclass(frozen=True)
class PolicyWarning:
    position: int
    limit: Decimal
    amount: Decimal
    message: str


def policy_check(
    lines: Sequence[LineInput], categories: dict[int, ExpenseCategory]
) -> list[PolicyWarning]:
    """Lines above their category's limit (limit × units), said in words."""
    warnings = []
    for position, line in enumerate(lines):
        category = categories.get(line.category_id)
        if category is None or category.limit_per_unit is None:
            continue
        limit = round_money(category.limit_per_unit * line.units)
        if line.amount > limit:
            warnings.append(
                PolicyWarning(
                    position,
                    limit,
                    line.amount,
                    _("第 %(n)s 行超出%(category)s标准 %(limit)s（%(per)s/%(unit)s），须填写理由。")
                    % {
                        "n": position + 1,
                        "category": category.name,
                        "limit": format_money(limit, line.currency),
                        "per": format_money(category.limit_per_unit, line.currency),
                        "unit": category.unit or "—",
                    },
                )
            )
    return warnings


def _checked(
    actor: Membership, kind: str, lines: Sequence[LineInput]
) -> tuple[dict[int, ExpenseCategory], str]:
    if kind not in ExpenseKind.values:
        raise ServiceError(_("请选择费用类别。"), field="kind")
    if not lines:
        raise ServiceError(_("至少填写一行费用。"), field="lines")
    currencies = {line.currency for line in lines}
    if len(currencies) > 1:
        raise ServiceError(_("一笔报销只能使用一种币种。"), field="lines")
    categories = {c.pk: c for c in ExpenseCategory.objects.all()}
    deals = opportunities_visible_to(actor)
    campaigns = _campaigns_of(lines)
    for n, line in enumerate(lines, start=1):
        _check_line(n, line, categories, deals, campaigns)
    for warning in policy_check(lines, categories):
        if not lines[warning.position].over_limit_reason.strip():
            raise ServiceError(warning.message, field="lines")
    return categories, currencies.pop()


def _check_line(
    n: int,
    line: LineInput,
    categories: dict[int, ExpenseCategory],
    deals: QuerySet[Opportunity],
    campaigns: set[int],
) -> None:
    if line.amount is None or line.amount <= 0:
        raise ServiceError(_("第 %(n)s 行：金额必须大于零。") % {"n": n}, field="lines")
    if line.units is None or line.units <= 0:
        raise ServiceError(_("第 %(n)s 行：数量必须大于零。") % {"n": n}, field="lines")
    if line.category_id not in categories:
        raise ServiceError(_("第 %(n)s 行：请选择类别。") % {"n": n}, field="lines")
    if line.opportunity_id and not deals.filter(pk=line.opportunity_id).exists():
        raise ServiceError(
            _("第 %(n)s 行：找不到这个商机，或你无权查看。") % {"n": n}, field="lines"
        )
    if line.campaign_id is not None and line.campaign_id not in campaigns:
        # Another organization's campaign is not found either (same words).
        raise ServiceError(_("第 %(n)s 行：找不到这个市场活动。") % {"n": n}, field="lines")
    if line.receipt is not None:
        attachment_validate(line.receipt)


def _campaigns_of(lines: Sequence[LineInput]) -> set[int]:
    """The lines' campaign ids that name a campaign of the organization in
    scope (every member reads campaigns); one query, none without ids."""
    ids = {line.campaign_id for line in lines if line.campaign_id is not None}
    if not ids:
        return set()
    return set(Campaign.objects.filter(pk__in=ids).values_list("pk", flat=True))


def _write_lines(
    expense: Expense,
    request: Request,
    actor: Membership,
    lines: Sequence[LineInput],
    at: dt.datetime,
) -> None:
    for position, line in enumerate(lines):
        receipt = (
            attachment_store(
                request=request, actor=actor, file=line.receipt, at=at, field_key="receipt"
            )
            if line.receipt is not None
            else None
        )
        ExpenseLine.objects.create(
            organization_id=expense.organization_id,
            expense=expense,
            position=position,
            date=line.date,
            category_id=line.category_id,
            units=line.units,
            amount=round_money(line.amount),
            currency=line.currency,
            description=line.description.strip()[:200],
            receipt=receipt,
            opportunity_id=line.opportunity_id or None,
            campaign_id=line.campaign_id,
            campaign_note=line.campaign_note.strip()[:200],
            over_limit_reason=line.over_limit_reason.strip()[:500],
        )


def expense_file(
    *,
    actor: Membership,
    kind: str,
    title: str,
    purpose: str,
    lines: Sequence[LineInput],
    at: dt.datetime | None = None,
) -> Expense:
    """File an expense: its request (and approval chain), lines and receipts."""
    at = at or timezone.now()
    with organization_scope(actor.organization_id), transaction.atomic():
        categories, currency = _checked(actor, kind, lines)
        if actor.department_id is None:
            raise ServiceError(_("你不属于任何部门，无法报销。"))
        total = round_money(sum((line.amount for line in lines), Decimal("0")))
        rtype = RequestType.objects.filter(code=EXPENSE_TYPE, is_active=True).first()
        if rtype is None:
            raise ServiceError(_("费用审批类型未启用。"))
        opportunity_id = next((x.opportunity_id for x in lines if x.opportunity_id), None)
        request = request_file(
            actor=actor,
            request_type=rtype,
            title=title,
            extra={
                "amount": f"{total:.2f}",
                "expense_kind": kind,
                "expense_date": min(x.date for x in lines).isoformat(),
                "purpose": purpose,
            },
            opportunity_id=opportunity_id,
            at=at,
        )
        expense = Expense.objects.create(
            organization_id=actor.organization_id,
            request=request,
            requester_id=actor.user_id,
            department_id=actor.department_id,
            kind=kind,
            total=total,
            currency=currency,
            over_limit=bool(policy_check(lines, categories)),
            created_at=at,
        )
        _write_lines(expense, request, actor, lines, at)
        state = ApprovalFlow.objects.filter(request=request).values_list("state", flat=True).first()
        if state in (None, FlowState.APPROVED):
            _book(expense, at)
        return expense


def _book(expense: Expense, at: dt.datetime) -> None:
    day = timezone.localdate(at)
    budget = budget_for(expense.department_id, day, expense.currency)
    if budget is None:
        raise ServiceError(
            _("%(department)s 在本季度没有 %(currency)s 预算，无法记账。")
            % {"department": expense.department.name, "currency": expense.currency}
        )
    booking_make(
        organization_id=expense.organization_id,
        budget_id=budget.pk,
        amount=expense.total,
        label=expense.request.title,
        expense_id=expense.pk,
        at=at,
    )
    expense.state, expense.approved_at = ExpenseState.APPROVED, at
    expense.save(update_fields=["state", "approved_at"])


def expense_book_on_approval(
    *, flow: ApprovalFlow, request: Request, step: ApprovalStep | None, at: dt.datetime
) -> None:
    """The approvals' decided hook: an approved chain books the request's
    expense, if any. Raising refuses the approval (a budget that cannot take it)."""
    if flow.state != FlowState.APPROVED:
        return
    expense = (
        Expense.objects.select_for_update()
        .select_related("department", "request")
        .filter(request_id=request.pk)
        .first()
    )
    if expense is None or expense.state != ExpenseState.SUBMITTED:
        return
    _book(expense, at)


def expenses_mark_paid(
    *, actor: Membership, expense_ids: Sequence[int], at: dt.datetime | None = None
) -> int:
    """Finance marks approved expenses as paid (after the accounting export)."""
    if not is_finance(actor):
        raise ServiceError(_("只有财务可以登记付款。"))
    with organization_scope(actor.organization_id), transaction.atomic():
        return Expense.objects.filter(pk__in=expense_ids, state=ExpenseState.APPROVED).update(
            state=ExpenseState.PAID, paid_at=at or timezone.now()
        )
