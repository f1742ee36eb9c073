"""The demo's campaign expenses: Marketing's approved spend on enablement's
two demo campaigns (the webinar and the solution launch), linked to them,
so each campaign page shows its cost beside its budget and its ROI.

Each campaign's booked spend stays within its budget (the webinar about
40%, the launch about 45% with the Business booth the main demo files),
and it books on Marketing's quarter budget, which has room for it. Filed
and approved through the services, dated in this quarter (the budget's)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from departments.models import Membership
from enablement.campaigns.models import Campaign
from finance.expenses.services import LineInput, expense_file
from requests_sla.approvals import services as approvals
from requests_sla.approvals.models import ApprovalStep, StepState

MARKETERS = {"demo": "head-mkt", "other": "other-mkt"}
# title_zh of enablement's demo campaign -> (title, [(days after its start,
# category code, amount, zh, en)], hours ago filed)
SPEND = {
    "金融行业数据安全线上研讨会": (
        ("Webinar platform and promotion", "线上研讨会平台与推广"),
        [
            (0, "event", "9800.00", "直播平台服务费", "Streaming platform"),
            (0, "event", "14600.00", "行业媒体推广投放", "Industry media promotion"),
        ],
        60,
    ),
    "智能制造解决方案发布会": (
        ("Solution launch venue and materials", "解决方案发布会场地与物料"),
        [
            (0, "event", "19800.00", "发布会场地", "Launch venue"),
            (0, "event", "16200.00", "展台与印刷物料", "Stand and printed materials"),
        ],
        40,
    ),
}


def campaigns_by_title() -> dict[str, Campaign]:
    return {c.title_zh: c for c in Campaign.objects.filter(title_zh__in=SPEND)}


def approve_all(request_id: int, at: dt.datetime) -> None:
    """Each pending step of the chain approved by its approver, in turn."""
    while step := (
        ApprovalStep.objects.filter(request_id=request_id, state=StepState.PENDING)
        .order_by("position")
        .first()
    ):
        approver = (
            Membership.objects.select_related("user", "department", "organization")
            .filter(user_id=step.approver_id, is_active=True)
            .first()
        )
        if approver is None:
            return
        approvals.step_act(step_id=step.pk, actor=approver, action="approve", at=at)


def load_campaign_expenses(key: str, cats: dict, en: bool, at) -> None:
    """``at(hours)``: that many hours ago, never before this quarter."""
    marketer = (
        Membership.objects.select_related("user", "department", "organization")
        .filter(user__username=MARKETERS.get(key, ""), is_active=True)
        .first()
    )
    if marketer is None:
        return
    for title_zh, campaign in campaigns_by_title().items():
        (title_en, title_zh_expense), lines, hours = SPEND[title_zh]
        expense = expense_file(
            actor=marketer,
            kind="campaign",
            title=title_en if en else title_zh_expense,
            purpose=campaign.title,
            lines=[
                LineInput(
                    date=campaign.starts_on + dt.timedelta(days=days),
                    category_id=cats[code].pk,
                    amount=Decimal(amount),
                    description=desc_en if en else desc_zh,
                    campaign_id=campaign.pk,
                )
                for days, code, amount, desc_zh, desc_en in lines
            ],
            at=at(hours),
        )
        approve_all(expense.request_id, at(hours - 4))
