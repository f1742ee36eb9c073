"""Approval types created on first use: one mechanism for discounts and payouts.

The type is created once with its default chain, the chain skips a
department-head step whose department the organization lacks, the type takes
its pace from the serving department's last type, and each organization gets
its own."""

import pytest

from collab.tenancy import organization_scope
from departments.models import Department
from requests_sla.approvals.defaults import (
    DISCOUNT_TYPE,
    ApprovalTypeSpec,
    StepSpec,
    approval_type_ensure,
    discount_type_ensure,
)
from requests_sla.approvals.models import ApprovalStepDefinition, ApproverKind
from requests_sla.catalog.models import RequestType

pytestmark = pytest.mark.django_db


def _chain(rtype):
    return list(
        ApprovalStepDefinition.objects.filter(request_type=rtype)
        .order_by("position")
        .values_list("position", "approver_kind", "department__code", "condition_value")
    )


def test_discount_type_created_once_with_its_chain(org):
    with organization_scope(org.id):
        first = discount_type_ensure(org.id)
        again = discount_type_ensure(org.id)
        assert first is not None and again.pk == first.pk
        assert RequestType.objects.filter(code=DISCOUNT_TYPE).count() == 1
        assert _chain(first) == [
            (0, ApproverKind.DEPARTMENT_HEAD, "finance", ""),
            (1, ApproverKind.ORG_ADMIN, None, "30"),
        ]
        last = (
            RequestType.objects.filter(serving_department__code="finance")
            .exclude(pk=first.pk)
            .order_by("-sort_order")
            .first()
        )
        assert first.sort_order == last.sort_order + 1
        assert first.sla_targets == last.sla_targets


TWO_HEADS = ApprovalTypeSpec(
    code="x_two_heads",
    serving_department="finance",
    name_zh="两级审批",
    name_en="Two heads",
    description_zh="",
    description_en="",
    steps=(
        StepSpec("人力资源负责人", "HR head", ApproverKind.DEPARTMENT_HEAD, 8, department="hr"),
        StepSpec(
            "财务负责人", "Finance head", ApproverKind.DEPARTMENT_HEAD, 8, department="finance"
        ),
        StepSpec("管理员", "Admin", ApproverKind.ORG_ADMIN, 8, condition=("amount", "gt", "9")),
    ),
)


def test_a_missing_department_drops_its_step_not_the_chain(org):
    with organization_scope(org.id):
        Department.objects.filter(code="hr").update(code="hr-closed")
        rtype = approval_type_ensure(org.id, TWO_HEADS)
        assert _chain(rtype) == [
            (0, ApproverKind.DEPARTMENT_HEAD, "finance", ""),
            (1, ApproverKind.ORG_ADMIN, None, "9"),
        ]


def test_no_serving_department_no_type(org):
    spec = ApprovalTypeSpec(
        code="x_nowhere",
        serving_department="no-such-department",
        name_zh="无",
        name_en="None",
        description_zh="",
        description_en="",
        steps=(StepSpec("管理员", "Admin", ApproverKind.ORG_ADMIN, 8),),
    )
    with organization_scope(org.id):
        assert approval_type_ensure(org.id, spec) is None
        assert not RequestType.objects.filter(code="x_nowhere").exists()


def test_each_organization_gets_its_own(org, other_org):
    with organization_scope(org.id):
        mine = discount_type_ensure(org.id)
    with organization_scope(other_org.id):
        theirs = discount_type_ensure(other_org.id)
        assert theirs.pk != mine.pk
        assert {d.organization_id for d in ApprovalStepDefinition.objects.all()} == {other_org.id}
