"""Finance's demo, in both demo organizations, dated relative to today:
expense categories with policy limits, a budget for every department this
quarter, a reservation for the current sprint (a sprint budget request
approved by Finance's head), expenses approved and one
pending for Finance's head, won deals with payment plans, invoices and
payments, a few overdue invoices, and the warnings the rules raise on them.
Everything goes through the services. Idempotent: an organization with
budgets is left alone."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

from django.utils import timezone

from collab.tenancy import organization_scope
from departments.models import Department, Membership, Organization
from finance.budgets.models import Budget, quarter_label, quarter_start
from finance.budgets.services import budget_set
from finance.budgets.sprint_requests import SPRINT_TYPE
from finance.demo.campaigns import campaigns_by_title, load_campaign_expenses
from finance.demo.receivables import load_receivables
from finance.expenses.defaults import expense_categories_provision
from finance.expenses.services import LineInput, expense_file
from finance.risk.services import risk_evaluate
from pipeline.opportunities.selectors import opportunities_visible_to
from requests_sla.approvals import services as approvals
from requests_sla.approvals.defaults import FINANCE_HEAD, chain_create
from requests_sla.approvals.models import (
    ApprovalStep,
    ApprovalStepDefinition,
    StepState,
)
from requests_sla.catalog.models import RequestType
from requests_sla.requests.services import request_file

PEOPLE = {
    "demo": {"rep": "rep", "rep2": "rep2", "fin": "head-fin"},
    "other": {"rep": "other-rep", "rep2": "other-rep2", "fin": "other-fin"},
}
BUDGETS = {"business": "600000.00", "marketing": "900000.00", "customer_success": "200000.00"}
DEFAULT_BUDGET = "150000.00"


def _budgets(fin: Membership, today: dt.date) -> None:
    for department in Department.objects.order_by("sort_order", "code"):
        budget_set(
            actor=fin,
            department=department,
            period_start=today,
            amount=Decimal(BUDGETS.get(department.code, DEFAULT_BUDGET)),
        )


def _sprint_reservation(members: dict[str, Membership], en: bool, now: dt.datetime) -> None:
    """The current sprint's reservation, the way the business asks for it: a
    sprint budget request from Business (a Finance-head chain on the type,
    if it has none), approved by Finance's head, reserves on Business's
    budget (``budgets.sprint_requests``)."""
    rtype = RequestType.objects.filter(code=SPRINT_TYPE, is_active=True).first()
    finance = Department.objects.filter(code="finance").first()
    if rtype is None or finance is None:
        return
    if not ApprovalStepDefinition.objects.filter(request_type=rtype).exists():
        chain_create(rtype, [dataclasses.replace(FINANCE_HEAD, sla_hours=8)])
    today = timezone.localdate(now)
    request = request_file(
        actor=members["rep"],
        request_type=rtype,
        title="Quarter sprint: sales star awards" if en else "本季度冲刺：销售之星奖励",
        extra={
            "amount": "80000.00",
            "sprint": quarter_label(today),
            "target": "Close the year's target" if en else "冲刺全年目标",
        },
        at=_at(now, 120),
    )
    step = ApprovalStep.objects.filter(request_id=request.pk, state=StepState.PENDING).first()
    if step is not None and step.approver_id == members["fin"].user_id:
        approvals.step_act(
            step_id=step.pk, actor=members["fin"], action="approve", at=_at(now, 116)
        )


def _at(now: dt.datetime, hours: int) -> dt.datetime:
    """``hours`` ago, but never before this quarter (the budget's)."""
    start = timezone.make_aware(
        dt.datetime.combine(quarter_start(timezone.localdate(now)), dt.time(9))
    )
    return max(now - dt.timedelta(hours=hours), min(start, now))


def _expenses(members: dict[str, Membership], cats: dict, en: bool, now: dt.datetime) -> None:
    today = timezone.localdate(now)
    rep, rep2, fin = members["rep"], members["rep2"], members["fin"]
    # The visit is for one of the rep's deals: approved at once, it is that
    # deal's cost (the deal page's cost panel).
    deal_id = (
        opportunities_visible_to(rep)
        .filter(owner_id=rep.user_id)
        .order_by("id")
        .values_list("pk", flat=True)
        .first()
    )
    small = expense_file(
        actor=rep,
        kind="travel",
        title="Shanghai customer visit" if en else "上海客户拜访差旅",
        purpose="Customer visit" if en else "拜访客户",
        lines=[
            LineInput(
                date=today - dt.timedelta(days=3),
                category_id=cats["transport"].pk,
                amount=Decimal("860.00"),
                opportunity_id=deal_id,
            ),
            LineInput(
                date=today - dt.timedelta(days=3),
                category_id=cats["hotel_t1"].pk,
                amount=Decimal("1150.00"),
                units=Decimal("2"),
            ),
            LineInput(
                date=today - dt.timedelta(days=2),
                category_id=cats["meals"].pk,
                amount=Decimal("280.00"),
                units=Decimal("2"),
            ),
        ],
        at=_at(now, 50),
    )
    # Business's booth at Marketing's solution launch: part of its cost.
    launch = campaigns_by_title().get("智能制造解决方案发布会")
    big = expense_file(
        actor=rep2,
        kind="campaign",
        title="Solution launch booth" if en else "解决方案发布会展位",
        purpose="Roadshow" if en else "华东行业巡展",
        lines=[
            LineInput(
                date=today - dt.timedelta(days=6),
                category_id=cats["event"].pk,
                amount=Decimal("18500.00"),
                campaign_id=launch.pk if launch else None,
            ),
        ],
        at=_at(now, 30),
    )
    step = ApprovalStep.objects.filter(request_id=big.request_id, state=StepState.PENDING).first()
    if step is not None and step.approver_id == fin.user_id:
        approvals.step_act(step_id=step.pk, actor=fin, action="approve", at=_at(now, 28))
    expense_file(
        actor=rep,
        kind="campaign",
        title="Customer day venue" if en else "客户答谢会场地",
        purpose="Customer day" if en else "季度冲刺客户答谢会",
        lines=[
            LineInput(
                date=today - dt.timedelta(days=1),
                category_id=cats["event"].pk,
                amount=Decimal("24000.00"),
                campaign_note="Customer day" if en else "客户答谢会",
                over_limit_reason="Larger venue for 120 guests"
                if en
                else "到场客户 120 人，需更大场地",
            )
        ],
        at=_at(now, 3),
    )
    del small


def load(*, organization: Organization, key: str) -> None:
    people = PEOPLE.get(key)
    if people is None:
        return
    with organization_scope(organization.id):
        if Budget.objects.exists():
            return
        members = {
            role: Membership.objects.select_related("user", "department", "organization")
            .filter(user__username=username, is_active=True)
            .first()
            for role, username in people.items()
        }
        if any(m is None for m in members.values()):
            return
        now = timezone.now()
        en = organization.default_language == "en"
        cats = expense_categories_provision(organization=organization)
        _budgets(members["fin"], timezone.localdate(now))
        _sprint_reservation(members, en, now)
        _expenses(members, cats, en, now)
        load_campaign_expenses(key, cats, en, lambda hours: _at(now, hours))
        load_receivables(members["fin"], [m for k, m in members.items() if m and k != "fin"], now)
        risk_evaluate(organization_id=organization.id)
