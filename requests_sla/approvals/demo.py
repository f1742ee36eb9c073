"""Demo approval chains and requests in every state, dated relative to now.

Chains: ``fin_expense_approval`` (amount > 5,000 → Finance's head; amount >
50,000 → the organization admin) and a discount approval type,
``fin_discount_approval`` (Finance's head; a discount over 30% → the
organization admin). Requests are filed and decided through the services
with backdated times. Idempotent: an organization whose expense type already
has a chain is left alone.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from collab.tenancy import organization_scope
from departments.models import Membership, Organization
from requests_sla.approvals import services
from requests_sla.approvals.defaults import (
    DISCOUNT_TYPE,
    StepSpec,
    chain_create,
    discount_type_ensure,
)
from requests_sla.approvals.models import (
    ApprovalStep,
    ApprovalStepDefinition,
    ApproverKind,
    StepState,
)
from requests_sla.catalog.models import RequestType
from requests_sla.requests.services import request_file

DISCOUNT = DISCOUNT_TYPE
PEOPLE = {
    "demo": {"rep": "rep", "rep2": "rep2", "fin": "head-fin", "stand_in": "ops"},
    "other": {
        "rep": "other-rep",
        "rep2": "other-rep2",
        "fin": "other-fin",
        "stand_in": "other-ops",
    },
}
# (type, requester, hours ago, amount or discount %, title, decisions)
# decisions: (hours after filing, who, action, reason), applied to the pending step.
EXPENSES = [
    ("fin_expense_approval", "rep", 30, "3200.00", "客户拜访差旅（上海）", []),
    ("fin_expense_approval", "rep", 3, "8600.00", "华东电力投标差旅", []),
    ("fin_expense_approval", "rep2", 26, "62000.00", "行业峰会展位", [(2, "fin", "approve", "")]),
    (
        "fin_expense_approval",
        "rep",
        50,
        "12000.00",
        "客户答谢宴",
        [(3, "fin", "reject", "超出招待标准，请拆分")],
    ),
    (
        "fin_expense_approval",
        "rep2",
        20,
        "9800.00",
        "城市巡展物料",
        [(1, "fin", "send_back", "请补充发票")],
    ),
    ("fin_expense_approval", "rep", 72, "7500.00", "季度冲刺差旅", [(4, "fin", "approve", "")]),
    (DISCOUNT, "rep", 5, "15", "蓝海零售连锁报价折扣", []),
    (DISCOUNT, "rep2", 28, "35", "星河集团年度折扣", [(2, "fin", "approve", "战略客户")]),
]


# Finance's head over 5,000; the organization admin over 50,000.
EXPENSE_CHAIN = (
    StepSpec(
        "财务负责人",
        "Finance head",
        ApproverKind.DEPARTMENT_HEAD,
        4,
        department="finance",
        condition=("amount", "gt", "5000"),
    ),
    StepSpec(
        "企业管理员",
        "Organization admin",
        ApproverKind.ORG_ADMIN,
        8,
        condition=("amount", "gt", "50000"),
    ),
)


def load(*, organization: Organization, key: str) -> None:
    people = PEOPLE.get(key)
    with organization_scope(organization.id):
        if people is None or not RequestType.objects.filter(code="fin_expense_approval").exists():
            return
        if ApprovalStepDefinition.objects.exists():
            return
        discount_type_ensure(organization.id)
        chain_create(RequestType.objects.get(code="fin_expense_approval"), EXPENSE_CHAIN)
        members = {
            m.user.username: m
            for m in Membership.objects.filter(is_active=True).select_related(
                "user", "department", "organization"
            )
        }
        types = {t.code: t for t in RequestType.objects.select_related("serving_department")}
        now = timezone.now()
        for code, who, age, figure, title, decisions in EXPENSES:
            requester = members.get(people[who])
            if requester is None or code not in types:
                continue
            filed_at = now - dt.timedelta(hours=age)
            request = request_file(
                actor=requester,
                request_type=types[code],
                title=title,
                extra=_extra(code, figure, organization),
                at=filed_at,
            )
            for hours, actor_key, action, reason in decisions:
                step = ApprovalStep.objects.filter(request=request, state=StepState.PENDING).first()
                actor = members.get(people[actor_key])
                if step is None or actor is None or step.approver_id != actor.user_id:
                    continue
                services.step_act(
                    step_id=step.pk,
                    actor=actor,
                    action=action,
                    reason=reason,
                    at=filed_at + dt.timedelta(hours=hours),
                )
        _delegation(members, people, now)


def _extra(code: str, figure: str, organization: Organization) -> dict:
    # A real demo account, so the customer search finds it (pipeline/demo/customers.py).
    customer = (
        "Northwind Traders" if organization.default_language == "en" else "蓝海零售连锁有限公司"
    )
    if code == DISCOUNT:
        return {"customer_name": customer, "discount_pct": figure, "quote_amount": "380000.00"}
    return {
        "amount": figure,
        "expense_kind": "travel",
        "expense_date": timezone.localdate().isoformat(),
        "purpose": "拜访客户" if organization.default_language != "en" else "Customer visit",
    }


def _delegation(members: dict, people: dict, now: dt.datetime) -> None:
    """Finance's head is away next week; the stand-in approves for them."""
    fin, stand_in = members.get(people["fin"]), members.get(people["stand_in"])
    if fin is None or stand_in is None:
        return
    start = timezone.localdate(now) + dt.timedelta(days=7)
    services.delegation_add(
        actor=fin,
        delegate_id=stand_in.user_id,
        starts_on=start,
        ends_on=start + dt.timedelta(days=4),
    )
