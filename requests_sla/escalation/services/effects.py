"""The effects of freshly taken rungs, each through the service of the
sub-domain it writes: the agenda and participants of the next review meeting
(``meetings.services``), the raised priority (``requests.services``, with a
history row), the notifications and their outboxes (``notifications.services``).
The only rows written here are the sweep's own: which meeting a breach step
went on."""

from __future__ import annotations

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


def effects_apply(ctx: OrgContext, steps, report: SweepReport) -> None:
    """Effects of freshly inserted steps: agenda, priority, notifications, webhook."""
    organization_id = ctx.organization_id
    now = ctx.now
    people = ctx.people
    recipients: dict[tuple[int, int], set[int]] = {}  # (request, level) → users
    agenda_requests: dict[int, Request] = {}
    participants: set[tuple[int, str]] = set()
    raise_ids: list[int] = []
    meeting = None
    for _step_id, timer, level, caught_up in steps:
        request = timer.request
        serving_heads = people["heads"].get(request.serving_department_id, [])
        requesting_heads = (
            people["heads"].get(request.requesting_department_id, [])
            if request.requesting_department_id
            else []
        )
        if level == EscalationLevel.BREACHED:
            meeting = meeting or ctx.meeting()
            agenda_requests[request.pk] = request
            participants |= {(u, "serving_head") for u in serving_heads}
            participants |= {(u, "requesting_head") for u in requesting_heads}
            participants |= {(u, "ops") for u in people["ops"]}
        if level == EscalationLevel.FOLLOW_UP and ctx.policy.raise_priority:
            raise_ids.append(request.pk)
        if caught_up:
            continue
        if level == EscalationLevel.AT_RISK:
            if not ctx.policy.notify_at_risk:
                continue
            users = set(serving_heads) | ({request.assignee_id} if request.assignee_id else set())
        elif level == EscalationLevel.BREACHED:
            users = set(serving_heads) | set(requesting_heads) | set(people["ops"])
        else:
            users = set(people["ops"]) | set(serving_heads)
        recipients.setdefault((request.pk, level), set()).update(users)

    if meeting is not None:
        meeting_services.agenda_escalations_add(
            meeting=meeting, requests=agenda_requests.values(), participants=participants, at=now
        )
        EscalationStep.objects.filter(
            pk__in=[
                step_id for step_id, _t, level, _c in steps if level == EscalationLevel.BREACHED
            ]
        ).update(meeting=meeting)
    if raise_ids:
        request_services.requests_priority_raise(request_ids=raise_ids, at=now)

    requests_by_id = {timer.request_id: timer.request for _s, timer, _l, _c in steps}
    notifications = [
        Notification(
            organization_id=organization_id,
            recipient_id=user_id,
            kind=LEVEL_KIND[level],
            request_id=request_id,
            text=f"{requests_by_id[request_id].reference} {requests_by_id[request_id].title}"[:300],
            created_at=now,
        )
        for (request_id, level), users in recipients.items()
        for user_id in sorted(users)
    ]
    # The assignee may not be a head/ops member: fetch the missing addresses.
    emails = dict(people["emails"])
    missing = {n.recipient_id for n in notifications} - set(emails)
    if missing:
        emails.update(
            User.objects.filter(pk__in=missing).exclude(email="").values_list("pk", "email")
        )
    created = notification_services.notifications_send_many(
        notifications, at=now, emails=emails, policy=ctx.policy, calendar=ctx.calendar
    )
    report.notifications += len(created)
    if ctx.endpoint is not None:
        notification_services.webhook_events_schedule(
            organization_id,
            (
                (
                    f"escalation:{step_id}",
                    webhook_payload(timer, level, meeting if level == 2 else None),
                )
                for step_id, timer, level, caught_up in steps
                if not caught_up
            ),
            now=now,
            endpoint=ctx.endpoint,
        )


def webhook_payload(timer: SlaTimer, level: int, meeting: ReviewMeeting | None) -> dict:
    request = timer.request
    labels = {
        1: "SLA 预警 / SLA at risk",
        2: "SLA 超时 / SLA breached",
        3: "超时仍未解决 / Still open after breach",
    }
    payload = {
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
