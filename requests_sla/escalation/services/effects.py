"""The effects of freshly taken rungs: agenda, priority, notifications, webhook."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Case, Value, When

from requests_sla.catalog.models import Priority
from requests_sla.escalation.services.context import OrgContext
from requests_sla.escalation.services.ladder import (
    SweepReport,
)
from requests_sla.meetings.models import (
    AgendaItem,
    MeetingParticipant,
    ReviewMeeting,
)
from requests_sla.notifications.models import Notification, NotificationKind
from requests_sla.notifications.services import deliveries_schedule, webhook_events_schedule
from requests_sla.requests.models import Request
from requests_sla.sla.models import (
    EscalationLevel,
    EscalationStep,
    SlaTimer,
)

User = get_user_model()

RAISED_PRIORITY = {
    Priority.LOW: Priority.NORMAL,
    Priority.NORMAL: Priority.HIGH,
    Priority.HIGH: Priority.URGENT,
    Priority.URGENT: Priority.URGENT,
}


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
        AgendaItem.objects.bulk_create(
            [
                AgendaItem(
                    organization_id=organization_id,
                    meeting=meeting,
                    request_id=r.pk,
                    department_id=r.serving_department_id,
                    added_at=now,
                )
                for r in agenda_requests.values()
            ],
            ignore_conflicts=True,
        )
        MeetingParticipant.objects.bulk_create(
            [
                MeetingParticipant(
                    organization_id=organization_id, meeting=meeting, user_id=u, reason=why
                )
                for u, why in sorted(participants)
            ],
            ignore_conflicts=True,
        )
        EscalationStep.objects.filter(
            pk__in=[
                step_id for step_id, _t, level, _c in steps if level == EscalationLevel.BREACHED
            ]
        ).update(meeting=meeting)
    if raise_ids:
        Request.objects.filter(pk__in=raise_ids).update(
            priority=Case(
                *(When(priority=old, then=Value(new)) for old, new in RAISED_PRIORITY.items())
            )
        )

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
    created = Notification.objects.bulk_create(notifications, batch_size=1000)
    report.notifications += len(created)
    deliveries_schedule(created, now=now, emails=emails, policy=ctx.policy, calendar=ctx.calendar)
    if ctx.endpoint is not None:
        webhook_events_schedule(
            organization_id,
            (
                (f"escalation:{step_id}", webhook_payload(timer, level, meeting if level == 2 else None))
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
