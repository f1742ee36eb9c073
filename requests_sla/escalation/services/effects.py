"""The effects of freshly taken rungs, each through the service of the
sub-domain it writes: the agenda and participants of the next review meeting
(``meetings.services``), the raised priority (``requests.services``, with a
history row), the notifications and their outboxes (``notifications.services``).
The only rows written here are the sweep's own: which meeting a breach step
went on."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model

from requests_sla.escalation.services.context import OrgContext
from requests_sla.escalation.services.ladder import (
    SweepReport,
)
from requests_sla.meetings import services as meeting_services
from requests_sla.meetings.models import (
    ReviewMeeting,
)
from requests_sla.notifications import services as notification_services
from requests_sla.notifications.models import Notification, NotificationKind
from requests_sla.requests import services as request_services
from requests_sla.requests.models import Request
from requests_sla.sla.models import (
    EscalationLevel,
    EscalationStep,
    SlaTimer,
)

User = get_user_model()

LEVEL_KIND = {
    EscalationLevel.AT_RISK: NotificationKind.SLA_AT_RISK,
    EscalationLevel.BREACHED: NotificationKind.SLA_BREACHED,
    EscalationLevel.FOLLOW_UP: NotificationKind.SLA_FOLLOW_UP,
}


WEBHOOK_EVENT = {1: "sla.at_risk", 2: "sla.breached", 3: "sla.still_open"}


# A rung this sweep took: (step id, timer, level, caught up).
Step = tuple[int, SlaTimer, int, bool]


@dataclass
class _Effects:
    """What a chunk's steps call for, gathered before anything is written."""

    recipients: dict[tuple[int, int], set[int]] = field(default_factory=dict)  # (request, level)
    agenda_requests: dict[int, Request] = field(default_factory=dict)
    participants: set[tuple[int, str]] = field(default_factory=set)
    raise_ids: list[int] = field(default_factory=list)
    meeting: ReviewMeeting | None = None


def effects_apply(ctx: OrgContext, steps: list[Step], report: SweepReport) -> None:
    """Effects of freshly inserted steps: agenda, priority, notifications, webhook."""
    effects = _Effects()
    for _step_id, timer, level, caught_up in steps:
        _gather(ctx, effects, timer.request, level, caught_up)
    meeting = effects.meeting
    if meeting is not None:
        meeting_services.agenda_escalations_add(
            meeting=meeting,
            requests=effects.agenda_requests.values(),
            participants=effects.participants,
            at=ctx.now,
        )
        EscalationStep.objects.filter(
            pk__in=[
                step_id for step_id, _t, level, _c in steps if level == EscalationLevel.BREACHED
            ]
        ).update(meeting=meeting)
    if effects.raise_ids:
        request_services.requests_priority_raise(request_ids=effects.raise_ids, at=ctx.now)
    report.notifications += _notify(ctx, steps, effects.recipients)
    if ctx.endpoint is not None:
        notification_services.webhook_events_schedule(
            ctx.organization_id,
            (
                (
                    f"escalation:{step_id}",
                    webhook_payload(timer, level, meeting if level == 2 else None),
                )
                for step_id, timer, level, caught_up in steps
                if not caught_up
            ),
            now=ctx.now,
            endpoint=ctx.endpoint,
        )


def _gather(
    ctx: OrgContext, effects: _Effects, request: Request, level: int, caught_up: bool
) -> None:
    """One step's share: the meeting's agenda and people (breach), the priority
    raise (follow-up), who hears of it (unless caught up)."""
    people = ctx.people
    serving_heads = people["heads"].get(request.serving_department_id, [])
    requesting_heads = (
        people["heads"].get(request.requesting_department_id, [])
        if request.requesting_department_id
        else []
    )
    if level == EscalationLevel.BREACHED:
        effects.meeting = effects.meeting or ctx.meeting()
        effects.agenda_requests[request.pk] = request
        effects.participants |= {(u, "serving_head") for u in serving_heads}
        effects.participants |= {(u, "requesting_head") for u in requesting_heads}
        effects.participants |= {(u, "ops") for u in people["ops"]}
    if level == EscalationLevel.FOLLOW_UP and ctx.policy.raise_priority:
        effects.raise_ids.append(request.pk)
    if caught_up:
        return
    if level == EscalationLevel.AT_RISK:
        if not ctx.policy.notify_at_risk:
            return
        users = set(serving_heads) | ({request.assignee_id} if request.assignee_id else set())
    elif level == EscalationLevel.BREACHED:
        users = set(serving_heads) | set(requesting_heads) | set(people["ops"])
    else:
        users = set(people["ops"]) | set(serving_heads)
    effects.recipients.setdefault((request.pk, level), set()).update(users)


def _notify(ctx: OrgContext, steps: list[Step], recipients: dict[tuple[int, int], set[int]]) -> int:
    """One notification per rung and person, with its email; returns how many."""
    requests_by_id = {timer.request_id: timer.request for _s, timer, _l, _c in steps}
    notifications = [
        Notification(
            organization_id=ctx.organization_id,
            recipient_id=user_id,
            kind=LEVEL_KIND[EscalationLevel(level)],
            request_id=request_id,
            text=f"{requests_by_id[request_id].reference} {requests_by_id[request_id].title}"[:300],
            created_at=ctx.now,
        )
        for (request_id, level), users in recipients.items()
        for user_id in sorted(users)
    ]
    # The assignee may not be a head/ops member: fetch the missing addresses.
    emails = dict(ctx.people["emails"])
    missing = {n.recipient_id for n in notifications} - set(emails)
    if missing:
        emails.update(
            User.objects.filter(pk__in=missing).exclude(email="").values_list("pk", "email")
        )
    created = notification_services.notifications_send_many(
        notifications, at=ctx.now, emails=emails, policy=ctx.policy, calendar=ctx.calendar
    )
    return len(created)


def webhook_payload(timer: SlaTimer, level: int, meeting: ReviewMeeting | None) -> dict[str, Any]:
    request = timer.request
    labels = {
        1: "SLA 预警 / SLA at risk",
        2: "SLA 超时 / SLA breached",
        3: "超时仍未解决 / Still open after breach",
    }
    payload: dict[str, Any] = {
        "event": WEBHOOK_EVENT[level],
        "level": level,
        "organization_id": timer.organization_id,
        "request": {
            "id": request.pk,
            "reference": request.reference,
            "title": request.title,
            "priority": request.priority,
            "serving_department_id": request.serving_department_id,
        },
        "timer": {"key": timer.key, "due_at": timer.due_at.isoformat() if timer.due_at else None},
        "text": f"[Collab] {labels[level]}: {request.reference} {request.title}",
    }
    if meeting is not None:
        payload["meeting"] = {"id": meeting.pk, "scheduled_at": meeting.scheduled_at.isoformat()}
    return payload
