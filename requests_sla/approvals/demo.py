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
from departments.models import Department, Membership, Organization
from requests_sla.approvals import services
from requests_sla.approvals.models import ApprovalStep, ApprovalStepDefinition, StepState
from requests_sla.catalog.models import Priority, RequestType
from requests_sla.requests.services import request_file

DISCOUNT = "fin_discount_approval"
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


def _discount_type(organization: Organization) -> RequestType | None:
    finance = Department.objects.filter(code="finance").first()
    expense = RequestType.objects.filter(code="fin_expense_approval").first()
    if finance is None or expense is None:
        return None
    rtype, _created = RequestType.objects.get_or_create(
        code=DISCOUNT,
        defaults={
            "organization": organization,
            "serving_department": finance,
            "name_zh": "报价折扣审批",
            "name_en": "Quote discount approval",
            "description_zh": "报价低于底价或折扣超出销售权限时，由财务审批。",
            "description_en": "Finance approves quotes below the floor price or beyond a rep's discount limit.",
            "priorities": list(Priority.values),
            "default_priority": Priority.NORMAL,
            "sla_targets": expense.sla_targets,
            "form_schema": [
                {
                    "key": "customer_name",
                    "label_zh": "客户",
                    "label_en": "Customer",
                    "type": "text",
                    "required": True,
                },
                {
                    "key": "discount_pct",
                    "label_zh": "折扣（%）",
                    "label_en": "Discount (%)",
                    "type": "number",
                    "required": True,
                },
                {
                    "key": "quote_amount",
                    "label_zh": "报价金额",
                    "label_en": "Quote amount",
                    "type": "money",
                },
            ],
            "sort_order": expense.sort_order + 1,
        },
    )
    return rtype


def _chains(organization: Organization, discount: RequestType | None) -> None:
    expense = RequestType.objects.get(code="fin_expense_approval")
    finance = Department.objects.get(code="finance")
    head = {"approver_kind": "dept_head", "department": finance, "sla_hours": 4}
    admin = {"approver_kind": "org_admin", "sla_hours": 8}
    services_specs = {
        expense: [
            {
                "name_zh": "财务负责人",
                "name_en": "Finance head",
                **head,
                "condition_field": "amount",
                "condition_operator": "gt",
                "condition_value": "5000",
            },
            {
                "name_zh": "企业管理员",
                "name_en": "Organization admin",
                **admin,
                "condition_field": "amount",
                "condition_operator": "gt",
                "condition_value": "50000",
            },
        ],
    }
    if discount is not None:
        services_specs[discount] = [
            {"name_zh": "财务负责人", "name_en": "Finance head", **head},
            {
                "name_zh": "企业管理员",
                "name_en": "Organization admin",
                **admin,
                "condition_field": "discount_pct",
                "condition_operator": "gt",
                "condition_value": "30",
            },
        ]
    for rtype, steps in services_specs.items():
        for position, spec in enumerate(steps):
            ApprovalStepDefinition.objects.create(
                organization=organization, request_type=rtype, position=position, **spec
            )


def load(*, organization: Organization, key: str) -> None:
    people = PEOPLE.get(key)
    with organization_scope(organization.id):
        if people is None or not RequestType.objects.filter(code="fin_expense_approval").exists():
            return
        if ApprovalStepDefinition.objects.exists():
            return
        discount = _discount_type(organization)
        _chains(organization, discount)
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
