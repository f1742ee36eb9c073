"""Writes of approval chains: start a chain on filing, act on a step
(approve / reject / send back), resubmit after a send-back, the resolve
guard, delegations and a request type's chain.

Every write runs in one transaction, scoped to the actor's organization,
holding the request's row lock and then the step's (the request services
lock the request first too, so the two never deadlock). Each active step
has its own milestone timer on the SLA engine (key ``approval-<step id>``),
which the escalation sweep takes like any other timer.
"""

from __future__ import annotations

import datetime as dt
import decimal
import functools
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from collab.errors import ServiceError
from collab.tenancy import organization_scope
from departments.models import Membership
from requests_sla.approvals.conditions import condition_holds
from requests_sla.approvals.hooks import flow_decided
from requests_sla.approvals.models import (
    ApprovalDelegation,
    ApprovalFlow,
    ApprovalStep,
    ApprovalStepDefinition,
    FlowState,
    StepState,
)
from requests_sla.approvals.routing import approver_for, delegation_on, local_date
from requests_sla.catalog.form_schema import validate_values
from requests_sla.catalog.models import RequestType
from requests_sla.notifications.models import NotificationKind
from requests_sla.notifications.services import notifications_send
from requests_sla.requests.models import Request
from requests_sla.requests.services.common import (
    acting,
    request_lock,
    request_save,
    text_required,
)
from requests_sla.sla.models import SlaTimer, StopReason
from requests_sla.sla.services import milestone_timer_start, request_refresh_sla, timers_stop

if TYPE_CHECKING:
    from django.contrib.auth.models import User

ACTIONS = {
    "approve": StepState.APPROVED,
    "reject": StepState.REJECTED,
    "send_back": StepState.SENT_BACK,
}


class StepConflict(ServiceError):
    """The step was already acted on (a second click, a replayed link): 409."""


# ---------------------------------------------------------------- the chain


def _chain(request: Request, *, from_position: int = 0) -> list[ApprovalStepDefinition]:
    """The request type's chain from ``from_position`` on, in order."""
    return list(
        ApprovalStepDefinition.objects.filter(
            request_type_id=request.request_type_id, position__gte=from_position
        ).order_by("position")
    )


def _materialise(
    flow: ApprovalFlow, request: Request, definitions: Iterable[ApprovalStepDefinition]
) -> None:
    """The flow's round's steps, one per definition: ``waiting`` when the
    condition holds on the request's fields, else ``skipped``."""
    ApprovalStep.objects.bulk_create(
        ApprovalStep(
            organization_id=request.organization_id,
            flow=flow,
            request=request,
            definition=d,
            position=d.position,
            round=flow.round,
            name_zh=d.name_zh,
            name_en=d.name_en,
            sla_hours=d.sla_hours,
            approver_kind=d.approver_kind,
            role=d.role,
            department_id=d.department_id,
            state=StepState.WAITING
            if condition_holds(
                d.condition_field, d.condition_operator, d.condition_value, request.extra
            )
            else StepState.SKIPPED,
        )
        for d in definitions
    )


def _notify(
    request: Request, user_ids: Iterable[int | None], step: ApprovalStep, at: dt.datetime
) -> None:
    notifications_send(
        organization_id=request.organization_id,
        recipient_ids=[u for u in user_ids if u],
        kind=NotificationKind.APPROVAL,
        text=f"{request.reference} {request.title} · {step.name} · {step.get_state_display()}",
        request=request,
        at=at,
    )


def _activate(step: ApprovalStep, request: Request, at: dt.datetime) -> bool:
    """Route the step to its approver (or their delegate), start its timer and
    notify them. False when nobody can approve it (then it is skipped)."""
    approver_id = approver_for(step, request)
    if approver_id is None:
        step.state, step.reason = StepState.SKIPPED, _("没有可用的审批人。")
        step.save(update_fields=["state", "reason"])
        return False
    delegation = delegation_on(approver_id, local_date(at))
    if delegation is not None:
        step.on_behalf_of_id, approver_id = approver_id, delegation.delegate_id
    step.approver_id = approver_id
    step.state, step.activated_at = StepState.PENDING, at
    step.timer = milestone_timer_start(
        request=request,
        key=step.timer_key,
        target={"unit": "working_hours", "amount": str(step.sla_hours)},
        at=at,
        actor=None,
        name_zh=f"审批：{step.name_zh}",
        name_en=f"Approval: {step.name_en or step.name_zh}",
    )
    step.save(update_fields=["approver", "on_behalf_of", "state", "activated_at", "timer"])
    # The approver sees the request (visibility rule); RequestWatcher is a tenant table.
    request.watchers.add(approver_id, through_defaults={"organization_id": request.organization_id})
    _notify(request, [approver_id], step, at)
    return True


def _advance(
    flow: ApprovalFlow, request: Request, at: dt.datetime, step: ApprovalStep | None = None
) -> None:
    """Activate the round's next waiting step, or complete the flow (``step``:
    the approval that completed it, for the decided hooks)."""
    for step in flow.steps.filter(round=flow.round, state=StepState.WAITING).order_by("position"):
        if _activate(step, request, at):
            request_refresh_sla(request)
            return
    flow.state, flow.completed_at = FlowState.APPROVED, at
    flow.save(update_fields=["state", "completed_at"])
    request_refresh_sla(request)
    flow_decided(flow=flow, request=request, step=step, at=at)


def chain_prepare(
    *, request: Request, actor: Membership, at: dt.datetime
) -> Callable[[], ApprovalFlow] | None:
    """The ``filed`` hook of requests (``requests.hooks``): read the type's
    chain while the request is planned, before the organization's counter is
    locked; a type without a chain costs that one indexed read and nothing
    else. Returns what starts the flow once the request is saved."""
    definitions = _chain(request)
    if not definitions:
        return None
    return functools.partial(chain_start, request=request, definitions=definitions, at=at)


def chain_start(
    *, request: Request, definitions: Sequence[ApprovalStepDefinition], at: dt.datetime
) -> ApprovalFlow:
    """A flow for the request just filed, its steps made from ``definitions``."""
    flow = ApprovalFlow.objects.create(
        organization_id=request.organization_id,
        request=request,
        state=FlowState.IN_PROGRESS,
        created_at=at,
    )
    _materialise(flow, request, definitions)
    _advance(flow, request, at)
    return flow


def resolve_guard(*, request: Request, actor: Membership) -> None:
    """The ``resolve_guard`` of requests: a chain must be complete first."""
    state = (
        ApprovalFlow.objects.filter(request_id=request.pk).values_list("state", flat=True).first()
    )
    if state is not None and state != FlowState.APPROVED:
        raise ServiceError(_("审批尚未全部通过，不能解决该请求。"))


# ---------------------------------------------------------------- acting


def _lock(step_id: int) -> tuple[ApprovalStep, Request]:
    request_id = (
        ApprovalStep.objects.filter(pk=step_id).values_list("request_id", flat=True).first()
    )
    if request_id is None:
        raise ApprovalStep.DoesNotExist
    request = Request.objects.select_for_update().get(pk=request_id)
    step = ApprovalStep.objects.select_for_update().select_related("flow").get(pk=step_id)
    return step, request


def _stop_timer(
    step: ApprovalStep, actor: User | None, at: dt.datetime, stop_reason: str, reason: str = ""
) -> None:
    if step.timer_id:
        timer = SlaTimer.objects.get(pk=step.timer_id)
        timers_stop([timer], at=at, actor=actor, stop_reason=stop_reason, reason=reason[:500])


def step_act(
    *,
    step_id: int,
    actor: Membership,
    action: str,
    reason: str = "",
    at: dt.datetime | None = None,
) -> ApprovalStep:
    """Approve, reject (reason required) or send back (reason required) the
    step ``step_id``. Only its approver may act, once: a second click or a
    replayed link finds the step decided and raises ``StepConflict``; a step
    of another organization is ``DoesNotExist`` (404)."""
    if action not in ACTIONS:
        raise ServiceError(_("未知的审批操作。"), field="action")
    with acting(actor, at) as at:
        step, request = _lock(step_id)
        if step.state != StepState.PENDING:
            raise StepConflict(
                _("这一审批步骤已处理（%(state)s）。") % {"state": step.get_state_display()}
            )
        if not actor.is_active or step.approver_id != actor.user_id:
            raise ServiceError(_("这一审批步骤不由你处理。"))
        if not request.is_open:
            raise StepConflict(_("该请求已结束，不能再审批。"))
        if action == "approve":
            reason = (reason or "").strip()[:2000]
        else:
            reason = text_required(reason, "reason")
        step.state, step.actor_id = ACTIONS[action], actor.user_id
        step.acted_at, step.reason = at, reason
        step.save(update_fields=["state", "actor", "acted_at", "reason"])
        flow = step.flow
        if action == "approve":
            _stop_timer(step, actor.user, at, StopReason.COMPLETED)
            _advance(flow, request, at, step)
            if flow.state == FlowState.APPROVED:
                _notify(request, [request.requester_id], step, at)
        else:
            _stop_timer(step, actor.user, at, StopReason.REJECTED, reason)
            flow.state = FlowState.REJECTED if action == "reject" else FlowState.SENT_BACK
            flow.completed_at = at if action == "reject" else None
            flow.save(update_fields=["state", "completed_at"])
            request_refresh_sla(request)
            _notify(request, [request.requester_id], step, at)
            flow_decided(flow=flow, request=request, step=step, at=at)
        return step


def _edited_extra(request: Request, extra: Mapping[str, Any] | None) -> dict[str, Any]:
    """The request's fields with the requester's edits (files stay as filed)."""
    if not extra:
        return dict(request.extra or {})
    schema = [f for f in (request.request_type.form_schema or []) if f.get("type") != "file"]
    keys = {f["key"] for f in schema}
    current = {k: v for k, v in (request.extra or {}).items() if k in keys}
    cleaned, errors = validate_values(
        schema, {**current, **dict(extra)}, organization_id=request.organization_id
    )
    if errors:
        raise ServiceError(
            "; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()), field="extra"
        )
    files = {k: v for k, v in (request.extra or {}).items() if k not in keys}
    return {**files, **cleaned}


def chain_resubmit(
    *,
    request: Request,
    actor: Membership,
    extra: Mapping[str, Any] | None = None,
    at: dt.datetime | None = None,
) -> ApprovalFlow:
    """After a send-back, the requester (optionally with edited fields)
    resubmits: a new round starts at the sent-back step, its conditions read
    again on the edited fields."""
    with acting(actor, at) as at:
        request = request_lock(request, actor)
        flow = ApprovalFlow.objects.select_for_update().filter(request=request).first()
        if flow is None or flow.state != FlowState.SENT_BACK:
            raise StepConflict(_("该请求没有被退回的审批。"))
        if actor.user_id != request.requester_id:
            raise ServiceError(_("只有提交人可以重新提交。"))
        sent_back = flow.steps.filter(round=flow.round, state=StepState.SENT_BACK).get()
        new_extra = _edited_extra(request, extra)
        if new_extra != request.extra:
            request.extra = new_extra
            request_save(request, actor, at, "approval resubmit")
        flow.steps.filter(round=flow.round, state=StepState.WAITING).delete()
        flow.round += 1
        flow.state = FlowState.IN_PROGRESS
        flow.save(update_fields=["round", "state"])
        _materialise(flow, request, _chain(request, from_position=sent_back.position))
        _advance(flow, request, at)
        return flow


# ---------------------------------------------------------------- settings


def delegation_add(
    *, actor: Membership, delegate_id: int, starts_on: dt.date, ends_on: dt.date
) -> ApprovalDelegation:
    if ends_on < starts_on:
        raise ServiceError(_("结束日期不能早于开始日期。"), field="ends_on")
    if delegate_id == actor.user_id:
        raise ServiceError(_("不能委托给自己。"), field="delegate")
    with organization_scope(actor.organization_id), transaction.atomic():
        if not Membership.objects.filter(user_id=delegate_id, is_active=True).exists():
            raise ServiceError(_("代理人必须是本企业成员。"), field="delegate")
        overlapping = ApprovalDelegation.objects.filter(
            delegator_id=actor.user_id, starts_on__lte=ends_on, ends_on__gte=starts_on
        )
        if overlapping.exists():
            raise ServiceError(_("与已有的代理时间重叠。"), field="starts_on")
        return ApprovalDelegation.objects.create(
            organization_id=actor.organization_id,
            delegator_id=actor.user_id,
            delegate_id=delegate_id,
            starts_on=starts_on,
            ends_on=ends_on,
        )


def delegation_remove(*, actor: Membership, delegation_id: int) -> None:
    with organization_scope(actor.organization_id):
        deleted, _rows = ApprovalDelegation.objects.filter(
            pk=delegation_id, delegator_id=actor.user_id
        ).delete()
    if not deleted:
        raise ApprovalDelegation.DoesNotExist


def chain_set(
    *, actor: Membership, request_type: RequestType, steps: Sequence[Mapping[str, Any]]
) -> list[ApprovalStepDefinition]:
    """Replace ``request_type``'s chain by ``steps`` (in order; each a mapping
    of the definition's fields). Running flows keep their materialised steps."""
    if not actor.can("manage_catalog"):
        raise ServiceError(_("你无权修改审批流程。"))
    if request_type.organization_id != actor.organization_id:
        raise ServiceError(_("请求类型不存在。"), field="request_type")
    with organization_scope(actor.organization_id), transaction.atomic():
        ApprovalStepDefinition.objects.filter(request_type=request_type).delete()
        rows = []
        for position, spec in enumerate(steps):
            try:
                rows.append(
                    ApprovalStepDefinition.objects.create(
                        organization_id=actor.organization_id,
                        request_type=request_type,
                        position=position,
                        **dict(spec),
                    )
                )
            except (IntegrityError, decimal.InvalidOperation, TypeError, ValueError):
                raise ServiceError(_("审批步骤 %(n)s 有误。") % {"n": position + 1}) from None
        return rows
