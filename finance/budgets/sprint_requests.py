"""A sprint budget reservation request (``fin_sprint_budget``) ends, when its
approval chain approves it, in a reservation (预留) against the right budget:
the requesting department's, for the quarter the request's "sprint period"
names ("2026 Q4", "Q4 2026", "2026 年第四季度") or else the quarter of the
approval; the reservation expires with that quarter. The sprint page
(incentives) lists it among the reservations to link.

It is an approvals "decided" hook: it runs in the approval's transaction, so
a budget that cannot take the amount refuses the approval and nothing is
written; the budget's row lock (``reservation_make``) makes two approvals at
the same moment unable to overspend, and the request's reservation is made
once (a second decided call finds it)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from django.utils import timezone
from django.utils.translation import gettext as _

from collab.errors import ServiceError
from collab.money import round_money
from departments.models import Membership
from finance.budgets.models import (
    BudgetLine,
    LineKind,
    quarter_end,
    quarter_label,
    quarter_start,
)
from finance.budgets.services import budget_for, reservation_make
from requests_sla.approvals.models import ApprovalFlow, ApprovalStep, FlowState
from requests_sla.catalog.models import RequestType
from requests_sla.requests.models import Request

SPRINT_TYPE = "fin_sprint_budget"
CURRENCY = "CNY"  # the type's amount field is "Amount to reserve (CNY)"
_CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_PATTERNS = (
    re.compile(r"(?P<year>\d{4})\s*[-/ ]?\s*Q(?P<q>[1-4])", re.I),
    re.compile(r"Q(?P<q>[1-4])\s*[-/ ]?\s*(?P<year>\d{4})", re.I),
    re.compile(r"(?P<year>\d{4})\s*年?\s*第?\s*(?P<q>[一二三四1-4])\s*季度"),
)


def sprint_quarter(text: str) -> dt.date | None:
    """The first day of the quarter a sprint period names, or None."""
    for pattern in _PATTERNS:
        match = pattern.search(text or "")
        if match:
            year = int(match.group("year"))
            if 2000 <= year <= 2100:
                return dt.date(year, 3 * (_CN_DIGITS[match.group("q")] - 1) + 1, 1)
    return None


def _amount(request: Request) -> Decimal:
    try:
        amount = round_money(str(request.extra.get("amount", "")).replace(",", ""))
    except (InvalidOperation, ValueError):
        amount = Decimal(0)
    if amount <= 0:
        raise ServiceError(_("预留金额必须大于零。"), field="amount")
    return amount


def _department_id(request: Request) -> int | None:
    if request.requesting_department_id is not None:
        return request.requesting_department_id
    return (
        Membership.objects.filter(user_id=request.requester_id, is_active=True)
        .values_list("department_id", flat=True)
        .first()
    )


def sprint_reserve_on_approval(
    *, flow: ApprovalFlow, request: Request, step: ApprovalStep | None, at: dt.datetime
) -> None:
    # The "sprint" field first: an expense's approval costs no read here.
    if flow.state != FlowState.APPROVED or "sprint" not in (request.extra or {}):
        return
    code = RequestType.objects.filter(pk=request.request_type_id).values_list("code", flat=True)
    if code.first() != SPRINT_TYPE:
        return
    if BudgetLine.objects.filter(request_id=request.pk, kind=LineKind.RESERVATION).exists():
        return
    amount = _amount(request)
    sprint = str(request.extra.get("sprint", "")).strip()
    day = sprint_quarter(sprint) or timezone.localdate(at)
    department_id = _department_id(request)
    budget = budget_for(department_id, day, CURRENCY) if department_id else None
    if budget is None:
        raise ServiceError(
            _("提出部门在 %(period)s 没有人民币预算，无法预留。") % {"period": quarter_label(day)}
        )
    reservation_make(
        actor=None,
        organization_id=request.organization_id,
        budget_id=budget.pk,
        amount=amount,
        label=(_("冲刺预算：%(sprint)s") % {"sprint": sprint or request.title})[:200],
        expires_on=quarter_end(quarter_start(day)),
        request_id=request.pk,
        at=at,
    )
