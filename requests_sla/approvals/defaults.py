"""Approval types created on first use, and default chains, defined one way.

Several apps file requests of an approval type that the organization's
starter catalog does not hold: pricing's quote discounts, incentives' payout
runs. Each type is created, with its default chain, the first time an
organization needs it (a type provisioned with the organization would join
the starter catalog that the request demos file at random). The demos give
existing types a default chain the same way. One mechanism for all of them:

* ``StepSpec`` — one step of a default chain (editable in the chain settings
  afterwards);
* ``chain_create`` — writes a chain's step definitions, skipping a
  department-head step whose department the organization does not have;
* ``ApprovalTypeSpec`` + ``approval_type_ensure`` — the type, created with its
  chain when missing, served by a department, paced (SLA targets, place in
  the catalog) by that department's last type.

The quote-discount type lives here because both pricing and the approvals
demo file it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from departments.models import Department
from requests_sla.approvals.models import ApprovalStepDefinition, ApproverKind
from requests_sla.catalog.models import Priority, RequestType


@dataclass(frozen=True)
class StepSpec:
    name_zh: str
    name_en: str
    approver_kind: str
    sla_hours: int
    # The department whose head approves (by code), for DEPARTMENT_HEAD steps.
    department: str = ""
    # Optional condition on the request's fields, e.g. ("amount", "gt", "5000").
    condition: tuple[str, str, str] | None = None


@dataclass(frozen=True)
class ApprovalTypeSpec:
    code: str
    serving_department: str
    name_zh: str
    name_en: str
    description_zh: str
    description_en: str
    form_schema: list[dict] = field(default_factory=list)
    steps: tuple[StepSpec, ...] = ()


def chain_create(rtype: RequestType, steps: tuple[StepSpec, ...] | list[StepSpec]) -> int:
    """Write ``steps`` as the type's chain, in order; a department-head step
    whose department the organization lacks is left out. Returns how many
    steps were written. Runs inside the organization's scope."""
    codes = {s.department for s in steps if s.department}
    departments = {d.code: d for d in Department.objects.filter(code__in=codes)}
    definitions = []
    for spec in steps:
        department = departments.get(spec.department)
        if spec.approver_kind == ApproverKind.DEPARTMENT_HEAD and department is None:
            continue
        field_name, operator, value = spec.condition or ("", "", "")
        definitions.append(
            ApprovalStepDefinition(
                organization_id=rtype.organization_id,
                request_type=rtype,
                position=len(definitions),
                name_zh=spec.name_zh,
                name_en=spec.name_en,
                approver_kind=spec.approver_kind,
                department=department,
                sla_hours=spec.sla_hours,
                condition_field=field_name,
                condition_operator=operator,
                condition_value=value,
            )
        )
    ApprovalStepDefinition.objects.bulk_create(definitions)
    return len(definitions)


def approval_type_ensure(organization_id: int, spec: ApprovalTypeSpec) -> RequestType | None:
    """The organization's request type ``spec.code``, created with its default
    chain when missing; None when the organization has no department to
    serve it. Runs inside the organization's scope."""
    rtype = RequestType.objects.filter(code=spec.code).first()
    if rtype is not None:
        return rtype
    serving = Department.objects.filter(code=spec.serving_department).first()
    if serving is None:
        return None
    # The serving department's last type sets the pace: its SLA targets, and
    # the new type goes right after it in the catalog.
    last = RequestType.objects.filter(serving_department=serving).order_by("-sort_order").first()
    rtype = RequestType.objects.create(
        organization_id=organization_id,
        code=spec.code,
        serving_department=serving,
        name_zh=spec.name_zh,
        name_en=spec.name_en,
        description_zh=spec.description_zh,
        description_en=spec.description_en,
        priorities=list(Priority.values),
        default_priority=Priority.NORMAL,
        sla_targets=last.sla_targets if last else {},
        form_schema=spec.form_schema,
        sort_order=last.sort_order + 1 if last else 0,
    )
    chain_create(rtype, spec.steps)
    return rtype


FINANCE_HEAD = StepSpec(
    "财务负责人", "Finance head", ApproverKind.DEPARTMENT_HEAD, 4, department="finance"
)

DISCOUNT = ApprovalTypeSpec(
    code="fin_discount_approval",
    serving_department="finance",
    name_zh="报价折扣审批",
    name_en="Quote discount approval",
    description_zh="报价低于底价或折扣超出销售权限时，由财务审批。",
    description_en="Finance approves quotes below the floor price or beyond a rep's discount limit.",
    form_schema=[
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
    steps=(
        FINANCE_HEAD,
        StepSpec(
            "企业管理员",
            "Organization admin",
            ApproverKind.ORG_ADMIN,
            8,
            condition=("discount_pct", "gt", "30"),
        ),
    ),
)
DISCOUNT_TYPE = DISCOUNT.code


def discount_type_ensure(organization_id: int) -> RequestType | None:
    """The quote-discount approval type (Finance's head; over a 30% discount
    on to the organization admin)."""
    return approval_type_ensure(organization_id, DISCOUNT)
