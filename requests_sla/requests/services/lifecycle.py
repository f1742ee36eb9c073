"""The request lifecycle: file, work, pause, resolve, reopen, transfer…

Every service takes the acting ``Membership`` as ``actor`` (who, in which
role and department), runs in one transaction holding the request's row
lock, checks ``permissions``, validates the status transition, writes the
request (simple-history records the actor and the reason) and appends SLA
events. ``at`` backdates an action (demo data, imports); it defaults to now
and may not lie in the future.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.db.models import Model
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from collab.errors import ServiceError
from departments.models import Department, Membership
from requests_sla.catalog.models import Priority, RequestType
from requests_sla.notifications.models import NotificationKind
from requests_sla.requests import hooks, permissions
from requests_sla.requests.models import (
    Request,
    Status,
)
from requests_sla.requests.services.common import (
    acting,
    request_lock,
    request_notify,
    request_save,
    request_timers,
    response_stop,
    serving_member,
    text_required,
    transition_check,
)
from requests_sla.sla.models import SlaEventKind, StopReason, TimerKind

if TYPE_CHECKING:
    from django.contrib.auth.models import User
else:
    User = get_user_model()
from requests_sla.sla.services import (
    request_refresh_sla,
    timer_event_add,
    timers_start_for,
    timers_stop,
)

# ---------------------------------------------------------------- helpers


# ---------------------------------------------------------------- attachments


# ---------------------------------------------------------------- filing


# ---------------------------------------------------------------- serving side


def request_acknowledge(
    *, request: Request, actor: Membership, at: dt.datetime | None = None
) -> Request:
    with acting(actor, at) as at:
        request = request_lock(request, actor)
        permissions.require(actor, "acknowledge", request)
        transition_check(request, "acknowledge")
        timers = request_timers(request)
        response_stop(request, actor, at, timers)
        request.status = Status.ACKNOWLEDGED
        request_save(request, actor, at, "acknowledge")
        request_refresh_sla(request, request_timers(request))
        return request


def request_start(*, request: Request, actor: Membership, at: dt.datetime | None = None) -> Request:
    """Start work (acknowledging first if needed); an unassigned request is
    taken by whoever starts it."""
    with acting(actor, at) as at:
        request = request_lock(request, actor)
        permissions.require(actor, "start", request)
        transition_check(request, "start")
        response_stop(request, actor, at, request_timers(request))
        request.status = Status.IN_PROGRESS
        if request.assignee_id is None:
            request.assignee = actor.user
        request_save(request, actor, at, "start")
        request_refresh_sla(request, request_timers(request))
        return request


def request_pause(
    *, request: Request, actor: Membership, reason: str, at: dt.datetime | None = None
) -> Request:
    """Wait on the requester: asking them is a response, and the running
    resolution/milestone clocks pause until they answer."""
    with acting(actor, at) as at:
        request = request_lock(request, actor)
        permissions.require(actor, "pause", request)
        transition_check(request, "pause")
        reason = text_required(reason, "reason")
        timers = request_timers(request)
        response_stop(request, actor, at, timers)
        for timer in timers:
            if timer.stopped_at is None and not timer.paused:
                timer_event_add(timer, SlaEventKind.PAUSE, at=at, actor=actor.user, reason=reason)
        request.status = Status.WAITING_ON_REQUESTER
        request.status_reason = reason
        request_save(request, actor, at, "pause")
        request_refresh_sla(request, request_timers(request))
        request_notify(
            request, actor, at, NotificationKind.QUESTION, [request.requester_id], reason=reason
        )
        return request


def timers_resume(request: Request, actor: Membership, at: dt.datetime, reason: str) -> None:
    for timer in request_timers(request):
        if timer.paused and timer.stopped_at is None:
            timer_event_add(timer, SlaEventKind.RESUME, at=at, actor=actor.user)
    request.status = Status.IN_PROGRESS
    request.status_reason = ""
    request_save(request, actor, at, reason)
    request_refresh_sla(request, request_timers(request))


def request_resume(
    *, request: Request, actor: Membership, at: dt.datetime | None = None
) -> Request:
    with acting(actor, at) as at:
        request = request_lock(request, actor)
        permissions.require(actor, "resume", request)
        transition_check(request, "resume")
        timers_resume(request, actor, at, "resume")
        return request


def request_resolve(
    *, request: Request, actor: Membership, resolution: str = "", at: dt.datetime | None = None
) -> Request:
    with acting(actor, at) as at:
        request = request_lock(request, actor)
        permissions.require(actor, "resolve", request)
        transition_check(request, "resolve")
        hooks.resolve_guards_run(request=request, actor=actor)  # e.g. approvals pending
        timers = request_timers(request)
        response_stop(request, actor, at, timers)
        timers_stop(
            [t for t in timers if t.kind != TimerKind.RESPONSE],
            at=at,
            actor=actor.user,
            stop_reason=StopReason.RESOLVED,
        )
        request.status = Status.RESOLVED
        request.status_reason = (resolution or "").strip()
        request.resolved_at = at
        if request.assignee_id is None:
            request.assignee = actor.user
        request_save(request, actor, at, "resolve")
        request_refresh_sla(request, request_timers(request))
        request_notify(
            request,
            actor,
            at,
            NotificationKind.RESOLVED,
            [request.requester_id],
            reason=request.status_reason,
        )
        return request


def request_milestone_complete(
    *, request: Request, actor: Membership, key: str, at: dt.datetime | None = None
) -> Request:
    with acting(actor, at) as at:
        request = request_lock(request, actor)
        permissions.require(actor, "complete_milestone", request)
        timer = next(
            (t for t in request_timers(request) if t.kind == TimerKind.MILESTONE and t.key == key),
            None,
        )
        if timer is None:
            raise ServiceError(_("没有这个里程碑。"), field="key")
        if timer.stopped_at is not None:
            raise ServiceError(_("该里程碑已完成。"), field="key")
        timers_stop([timer], at=at, actor=actor.user, stop_reason=StopReason.COMPLETED)
        request_refresh_sla(request, request_timers(request))
        return request


def request_close(*, request: Request, actor: Membership, at: dt.datetime | None = None) -> Request:
    with acting(actor, at) as at:
        request = request_lock(request, actor)
        permissions.require(actor, "close", request)
        transition_check(request, "close")
        request.status = Status.CLOSED
        request.closed_at = at
        request_save(request, actor, at, "close")
        return request


def request_reopen(
    *, request: Request, actor: Membership, reason: str = "", at: dt.datetime | None = None
) -> Request:
    """Back to work: the resolution clock continues with the budget it had
    (the time spent resolved does not count)."""
    with acting(actor, at) as at:
        request = request_lock(request, actor)
        if not permissions.can(actor, "reopen", request, now=at):
            if permissions.is_requester(actor, request):
                raise ServiceError(
                    _("只能在解决后 %(days)s 天内重新打开。")
                    % {"days": permissions.reopen_window().days},
                    field="status",
                )
            permissions.require(actor, "reopen", request, now=at)
        transition_check(request, "reopen")
        for timer in request_timers(request):
            if timer.kind == TimerKind.RESOLUTION and timer.stopped_at is not None:
                timer_event_add(timer, SlaEventKind.RESUME, at=at, actor=actor.user, reason=reason)
        request.status = Status.IN_PROGRESS
        request.status_reason = (reason or "").strip()
        request.resolved_at = None
        request.closed_at = None
        request_save(request, actor, at, "reopen")
        request_refresh_sla(request, request_timers(request))
        return request


def _finish(
    request: Request,
    actor: Membership,
    at: dt.datetime | None,
    *,
    reason: str,
    status: str,
    stop_reason: str,
    action: str,
) -> Request:
    """Cancel or reject: a reason is required, every timer stops for good."""
    with acting(actor, at) as at:
        request = request_lock(request, actor)
        permissions.require(actor, action, request)
        transition_check(request, action)
        reason = text_required(reason, "reason")
        timers_stop(
            request_timers(request), at=at, actor=actor.user, stop_reason=stop_reason, reason=reason
        )
        request.status = status
        request.status_reason = reason
        request.closed_at = at
        request_save(request, actor, at, action)
        request_refresh_sla(request, request_timers(request))
        if status == Status.REJECTED:
            request_notify(
                request, actor, at, NotificationKind.REJECTED, [request.requester_id], reason=reason
            )
        return request


def request_cancel(
    *, request: Request, actor: Membership, reason: str, at: dt.datetime | None = None
) -> Request:
    return _finish(
        request,
        actor,
        at,
        reason=reason,
        status=Status.CANCELLED,
        stop_reason=StopReason.CANCELLED,
        action="cancel",
    )


def request_reject(
    *, request: Request, actor: Membership, reason: str, at: dt.datetime | None = None
) -> Request:
    return _finish(
        request,
        actor,
        at,
        reason=reason,
        status=Status.REJECTED,
        stop_reason=StopReason.REJECTED,
        action="reject",
    )


def request_transfer(
    *,
    request: Request,
    actor: Membership,
    serving_department: Department,
    request_type: RequestType,
    priority: str = "",
    reason: str = "",
    at: dt.datetime | None = None,
) -> Request:
    """Hand the request to another department under one of its types.

    The old timers are stopped and kept (superseded) so the first
    department's record stays; the new department gets fresh response and
    resolution timers from the transfer instant, as if newly filed with it.
    """
    with acting(actor, at) as at:
        request = request_lock(request, actor)
        permissions.require(actor, "transfer", request)
        if not request.is_open:
            transition_check(request, "cancel")  # same "still open" rule, same message
        if serving_department.organization_id != actor.organization_id:
            raise ServiceError(_("部门不存在。"), field="serving_department")
        if serving_department.pk == request.serving_department_id:
            raise ServiceError(_("请选择另一个部门。"), field="serving_department")
        if (
            request_type.organization_id != actor.organization_id
            or request_type.serving_department_id != serving_department.pk
        ):
            raise ServiceError(_("该请求类型不属于所选部门。"), field="request_type")
        if not request_type.is_active:
            raise ServiceError(_("该请求类型已停用。"), field="request_type")
        priority = priority or (
            request.priority
            if request.priority in request_type.priorities
            else request_type.default_priority
        )
        if priority not in request_type.priorities or not request_type.targets_for(priority):
            raise ServiceError(_("该请求类型不支持此优先级。"), field="priority")
        timers_stop(
            request_timers(request),
            at=at,
            actor=actor.user,
            stop_reason=StopReason.TRANSFERRED,
            reason=reason,
            supersede=True,
        )
        request.serving_department = serving_department
        request.request_type = request_type
        request.priority = priority
        request.assignee = None
        request.status = Status.NEW
        request.status_reason = (reason or "").strip()
        request.acknowledged_at = None
        request_save(request, actor, at, "transfer")
        timers = timers_start_for(request=request, at=at, actor=actor.user)
        request_refresh_sla(request, timers)
        return request


def _assign(
    request: Request, actor: Membership, assignee: User | int | None, at: dt.datetime
) -> None:
    if assignee is not None:
        member = serving_member(
            request.serving_department_id, assignee.pk if isinstance(assignee, Model) else assignee
        )
        if member is None:
            raise ServiceError(_("处理人必须是服务部门的有效成员。"), field="assignee")
        assignee = member.user
    if request.assignee_id == (assignee.pk if assignee else None):
        return
    request.assignee = assignee
    request_save(request, actor, at, "assign")
    if assignee is not None:
        request_notify(request, actor, at, NotificationKind.ASSIGNED, [assignee.pk])


def request_assign(
    *,
    request: Request,
    actor: Membership,
    assignee: User | int | None,
    at: dt.datetime | None = None,
) -> Request:
    """``assignee`` is a user (or user id) who is an active member of the
    serving department, or None to unassign."""
    with acting(actor, at) as at:
        request = request_lock(request, actor)
        permissions.require(actor, "assign", request)
        if not request.is_open:
            transition_check(request, "cancel")
        _assign(request, actor, assignee, at)
        return request


def requests_bulk_assign(
    *,
    requests: Iterable[Request],
    actor: Membership,
    assignee: User | int | None,
    at: dt.datetime | None = None,
) -> list[Request]:
    """Assign several requests at once: all or nothing."""
    done = []
    with acting(actor, at) as at:
        for request in requests:
            request = request_lock(request, actor)
            permissions.require(actor, "assign", request)
            if not request.is_open:
                raise ServiceError(
                    _("%(ref)s 已结束，不能指派。") % {"ref": request.reference}, field="requests"
                )
            _assign(request, actor, assignee, at)
            done.append(request)
    return done


# ---------------------------------------------------------------- conversation


# The escalation ladder's third rung raises a request's priority one step.
PRIORITY_RAISED: dict[str, str] = {
    Priority.LOW: Priority.NORMAL,
    Priority.NORMAL: Priority.HIGH,
    Priority.HIGH: Priority.URGENT,
    Priority.URGENT: Priority.URGENT,
}


def requests_priority_raise(
    *, request_ids: Iterable[int], at: dt.datetime, reason: str = "escalation"
) -> list[Request]:
    """Raise the requests' priority one step (urgent stays urgent): one UPDATE
    for all of them and a history row each (no acting member: the ladder did
    it), so the request's timeline says when and why. Runs in the caller's
    transaction and organization scope; the escalation sweep already holds
    the rows' locks."""
    raised = []
    for request in Request.objects.filter(pk__in=list(request_ids)).order_by("pk"):
        higher = PRIORITY_RAISED.get(request.priority, request.priority)
        if higher != request.priority:
            request.priority = higher
            raised.append(request)
    if raised:
        bulk_update_with_history(
            raised, Request, ["priority"], default_change_reason=reason, default_date=at
        )
    return raised
