"""The quote-discount approval type and its default chain, defined once.

Pricing files a quote's discount approval as a request of this type; the demo
loader files demo ones. Both get the type (and, with a new type, its chain:
Finance's head, then the organization admin over a 30% discount, editable in
the chain settings afterwards) from ``discount_type_ensure``, so the two can
never drift apart.
"""

from __future__ import annotations

from departments.models import Department
from requests_sla.approvals.models import ApprovalStepDefinition, ApproverKind
from requests_sla.catalog.models import Priority, RequestType

DISCOUNT_TYPE = "fin_discount_approval"
DISCOUNT_FORM_SCHEMA = [
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
    {"key": "quote_amount", "label_zh": "报价金额", "label_en": "Quote amount", "type": "money"},
]


def discount_type_ensure(organization_id: int) -> RequestType | None:
    """The organization's discount approval type, created with its default
    chain when missing; None when it has no Finance department to serve it.
    Runs inside the organization's scope."""
    rtype = RequestType.objects.filter(code=DISCOUNT_TYPE).first()
    if rtype is not None:
        return rtype
    finance = Department.objects.filter(code="finance").first()
    if finance is None:
        return None
    # Finance's expense approval sets the pace (its SLA targets, its place in the catalog).
    finance_types = RequestType.objects.filter(serving_department=finance)
    template = finance_types.filter(code="fin_expense_approval").first() or finance_types.first()
    rtype = RequestType.objects.create(
        organization_id=organization_id,
        code=DISCOUNT_TYPE,
        serving_department=finance,
        name_zh="报价折扣审批",
        name_en="Quote discount approval",
        description_zh="报价低于底价或折扣超出销售权限时，由财务审批。",
        description_en="Finance approves quotes below the floor price or beyond a rep's discount limit.",
        priorities=list(Priority.values),
        default_priority=Priority.NORMAL,
        sla_targets=template.sla_targets if template else {},
        form_schema=DISCOUNT_FORM_SCHEMA,
        sort_order=template.sort_order + 1 if template else 0,
    )
    _discount_chain(organization_id, rtype, finance)
    return rtype


def _discount_chain(organization_id: int, rtype: RequestType, finance: Department) -> None:
    common = {"organization_id": organization_id, "request_type": rtype}
    ApprovalStepDefinition.objects.create(
        position=0,
        name_zh="财务负责人",
        name_en="Finance head",
        approver_kind=ApproverKind.DEPARTMENT_HEAD,
        department=finance,
        sla_hours=4,
        **common,
    )
    ApprovalStepDefinition.objects.create(
        position=1,
        name_zh="企业管理员",
        name_en="Organization admin",
        approver_kind=ApproverKind.ORG_ADMIN,
        condition_field="discount_pct",
        condition_operator="gt",
        condition_value="30",
        sla_hours=8,
        **common,
    )
