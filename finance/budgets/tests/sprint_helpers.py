"""A Finance-head chain on the sprint budget request type, and filing one."""

from __future__ import annotations

from django.utils import timezone

from collab.tenancy import organization_scope
from finance.budgets.models import quarter_label
from requests_sla.approvals.models import ApprovalStepDefinition, ApproverKind
from requests_sla.requests.services import request_file
from requests_sla.tests.factories import department, request_type

SPRINT = "fin_sprint_budget"


def sprint_chain(organization) -> ApprovalStepDefinition:
    return ApprovalStepDefinition.unscoped.create(
        organization=organization,
        request_type=request_type(organization, SPRINT),
        position=0,
        name_zh="财务负责人",
        name_en="Finance head",
        approver_kind=ApproverKind.DEPARTMENT_HEAD,
        department=department(organization, "finance"),
        sla_hours=8,
    )


def this_quarter() -> str:
    return quarter_label(timezone.localdate())


def file_sprint_request(requester, amount: str, sprint: str | None = None):
    with organization_scope(requester.organization_id):
        return request_file(
            actor=requester,
            request_type=request_type(requester.organization, SPRINT),
            title="季度冲刺预算",
            extra={"amount": amount, "sprint": sprint or this_quarter(), "target": "冲刺全年目标"},
        )
