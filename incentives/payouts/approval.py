"""Payout run approval on the existing approval chains.

Submitting a run files a collaboration request of the type
``hr_payout_approval`` served by Finance; the type's chain routes it (HR's
head, then Finance's head; above ``ADMIN_ABOVE`` on to the organization
admin — editable in the chain settings), each step on an SLA timer, the
requester told of the decision. The run waits in ``submitted`` until the
chain decides; ``payout_approval_decided`` (the approvals' "flow decided"
hook, inside the deciding transaction) freezes it when the chain approves,
or returns it to draft with the approver's reason when a step rejects or
sends it back.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from collab.errors import ServiceError
from collab.tenancy import organization_scope
from departments.models import Membership
from incentives.payouts.models import PayoutRun, RunState
from requests_sla.approvals.defaults import ApprovalTypeSpec, StepSpec, approval_type_ensure
from requests_sla.approvals.models import (
    ApprovalFlow,
    ApprovalStep,
    ApproverKind,
    FlowState,
    StepState,
)
from requests_sla.approvals.services import chain_resubmit, step_act
from requests_sla.catalog.models import RequestType
from requests_sla.requests.services import request_file

if TYPE_CHECKING:
    from requests_sla.requests.models import Request

PAYOUT_TYPE = "hr_payout_approval"
ADMIN_ABOVE = "200000"
FORM_SCHEMA = [
    {"key": "sprint", "label_zh": "冲刺", "label_en": "Sprint", "type": "text", "required": True},
    {"key": "run_number", "label_zh": "批次", "label_en": "Run", "type": "number"},
    {
        "key": "amount",
        "label_zh": "发放合计（元）",
        "label_en": "Payout total (CNY)",
        "type": "money",
        "required": True,
    },
]


PAYOUT = ApprovalTypeSpec(
    code=PAYOUT_TYPE,
    serving_department="finance",
    name_zh="激励发放审批",
    name_en="Incentive payout approval",
    description_zh="季度冲刺的提成与奖项发放批次，经人力资源与财务审批后冻结。",
    description_en="A sprint's commission and award payout run, frozen once HR and Finance approve it.",
    form_schema=FORM_SCHEMA,
    steps=(
        StepSpec("人力资源负责人", "HR head", ApproverKind.DEPARTMENT_HEAD, 8, department="hr"),
        StepSpec(
            "财务负责人", "Finance head", ApproverKind.DEPARTMENT_HEAD, 8, department="finance"
        ),
        StepSpec(
            "企业管理员",
            "Organization admin",
            ApproverKind.ORG_ADMIN,
            8,
            condition=("amount", "gt", ADMIN_ABOVE),
        ),
    ),
)


def payout_type(organization_id: int) -> RequestType | None:
    """The payout approval request type, created with its default chain the
    first time an organization submits a run (``approval_type_ensure``: HR's
    head, Finance's head, the organization admin above ``ADMIN_ABOVE``); None
    without a Finance department. Runs inside the organization's scope."""
    return approval_type_ensure(organization_id, PAYOUT)


def _extra(run: PayoutRun) -> dict[str, object]:
    # The chain's condition reads the amount; a run that claws back (a
    # negative total) asks for no more than a zero one.
    return {
        "sprint": run.sprint.name[:200],
        "run_number": run.number,
        "amount": str(max(run.total, Decimal("0.00"))),
    }


def approval_file(run: PayoutRun, actor: Membership, at: dt.datetime) -> Request:
    """File (or, after a send-back by the same requester, resubmit) the
    run's approval request; the chain starts on filing."""
    previous = run.approval_request
    if previous is not None and previous.requester_id == actor.user_id:
        flow = ApprovalFlow.objects.filter(request=previous).first()
        if flow is not None and flow.state == FlowState.SENT_BACK:
            chain_resubmit(request=previous, actor=actor, extra=_extra(run), at=at)
            return previous
    rtype = payout_type(actor.organization_id)
    if rtype is None:
        raise ServiceError(_("企业还没有财务部，无法审批发放。"))
    return request_file(
        actor=actor,
        request_type=rtype,
        title=_("%(sprint)s 第 %(n)s 批发放审批") % {"sprint": run.sprint.name, "n": run.number},
        description="\n".join(
            [
                _("发放合计 %(total)s %(currency)s。")
                % {"total": run.total, "currency": run.currency},
                _("发放批次：/incentives/runs/%(id)s/") % {"id": run.pk},
            ]
        ),
        extra=_extra(run),
        at=at,
    )


def run_follow_flow(run: PayoutRun, flow: ApprovalFlow | None, step: ApprovalStep | None) -> None:
    """Move a submitted run as its chain decided (a no-op while in progress)."""
    if flow is None or run.state != RunState.SUBMITTED:
        return
    if flow.state == FlowState.APPROVED:
        run.state = RunState.APPROVED
        run.approved_at = flow.completed_at
        run.approved_by_id = step.actor_id if step is not None else None
        run.approval_note = ""
    elif flow.state in (FlowState.REJECTED, FlowState.SENT_BACK):
        run.state = RunState.DRAFT
        run.approval_note = (step.reason if step is not None else "")[:2000]
    else:
        return
    run.save(update_fields=["state", "approved_at", "approved_by", "approval_note"])


def payout_approval_decided(
    *, flow: ApprovalFlow, request: Request, step: ApprovalStep | None, at: dt.datetime
) -> None:
    """The approvals' hook: the decided chain moves the run waiting on it."""
    run = (
        PayoutRun.objects.select_for_update()
        .filter(approval_request_id=request.pk, state=RunState.SUBMITTED)
        .first()
    )
    if run is not None:
        run_follow_flow(run, flow, step)


def pending_step(run: PayoutRun) -> ApprovalStep | None:
    if run.approval_request_id is None:
        return None
    return (
        ApprovalStep.objects.filter(request_id=run.approval_request_id, state=StepState.PENDING)
        .order_by("-round", "position")
        .first()
    )


def pending_of(steps: list[ApprovalStep]) -> ApprovalStep | None:
    """``pending_step`` among steps already read (the latest round's first)."""
    pending = [s for s in steps if s.state == StepState.PENDING]
    return min(pending, key=lambda s: (-s.round, s.position), default=None)


def may_act(run: PayoutRun, step: ApprovalStep | None, user_id: int) -> bool:
    """Whether ``user_id`` decides the run now: it waits in ``submitted`` and
    its pending step (``step``) is theirs. The one rule of the run page's
    buttons and of ``run_step_act``."""
    return run.state == RunState.SUBMITTED and step is not None and step.approver_id == user_id


def run_step_act(*, actor: Membership, run: PayoutRun, action: str, reason: str = "") -> None:
    """Act on the run's pending step as its approver (the run page's buttons)."""
    with organization_scope(actor.organization_id):
        if run.state != RunState.SUBMITTED:
            if run.state == RunState.APPROVED:
                raise ServiceError(
                    _("该发放批次已审批冻结，不能修改；之后的变化会作为调整进入下一批次。")
                )
            raise ServiceError(_("批次需先提交审批。"))
        step = pending_step(run)
        if step is None or not may_act(run, step, actor.user_id):
            raise ServiceError(_("这一审批步骤不由你处理。"))
        step_act(step_id=step.pk, actor=actor, action=action, reason=reason)


def approval_steps(run: PayoutRun) -> list[ApprovalStep]:
    if run.approval_request_id is None:
        return []
    return list(
        ApprovalStep.objects.filter(request_id=run.approval_request_id)
        .select_related("approver")
        .order_by("round", "position")
    )
