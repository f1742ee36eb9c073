"""Helpers of the approvals suites: the expense chain, filing an expense."""

from __future__ import annotations

from collab.tenancy import organization_scope
from requests_sla.approvals.models import (
    ApprovalFlow,
    ApprovalStep,
    ApprovalStepDefinition,
    ApproverKind,
)
from requests_sla.requests.services import request_file
from requests_sla.tests.factories import department, request_type

EXPENSE = "fin_expense_approval"


def expense_chain(organization) -> list[ApprovalStepDefinition]:
    """amount > 5,000 → Finance's head; amount > 50,000 → the organization admin."""
    rtype = request_type(organization, EXPENSE)
    finance = department(organization, "finance")
    common = {"organization": organization, "request_type": rtype, "sla_hours": 4}
    return [
        ApprovalStepDefinition.unscoped.create(
            position=0,
            name_zh="财务负责人",
            name_en="Finance head",
            approver_kind=ApproverKind.DEPARTMENT_HEAD,
            department=finance,
            condition_field="amount",
            condition_operator="gt",
            condition_value="5000",
            **common,
        ),
        ApprovalStepDefinition.unscoped.create(
            position=1,
            name_zh="企业管理员",
            name_en="Organization admin",
            approver_kind=ApproverKind.ORG_ADMIN,
            condition_field="amount",
            condition_operator="gt",
            condition_value="50000",
            **common,
        ),
    ]


def file_expense(requester, amount: str, *, at=None, title="客户拜访差旅"):
    rtype = request_type(requester.organization, EXPENSE)
    with organization_scope(requester.organization_id):
        return request_file(
            actor=requester,
            request_type=rtype,
            title=title,
            extra={
                "amount": amount,
                "expense_kind": "travel",
                "expense_date": "2025-03-01",
                "purpose": "拜访华东电力",
            },
            at=at,
        )


def steps_of(request) -> list[ApprovalStep]:
    return list(ApprovalStep.unscoped.filter(request_id=request.pk).order_by("round", "position"))


def flow_of(request) -> ApprovalFlow:
    return ApprovalFlow.unscoped.get(request_id=request.pk)
