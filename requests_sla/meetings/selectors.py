"""Reads for review meetings, action items and lost-deal post-mortems (scope
must be active)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from departments.models import Membership
from requests_sla.meetings.models import (
    ActionItem,
    AgendaItem,
    MeetingParticipant,
    MeetingStatus,
    PostMortem,
    PostMortemFinding,
    PostMortemRequest,
    ReviewMeeting,
)
from requests_sla.requests.models import Request
from requests_sla.sla.models import EscalationStep, SlaEvent, SlaState, SlaTimer
from requests_sla.sla.presentation import duration_text


def meetings_visible_to(membership: Membership) -> QuerySet[ReviewMeeting]:
    """Ops managers/admins see every meeting; a department head sees the
    meetings they take part in or that discuss their department."""
    qs = ReviewMeeting.objects.annotate(item_count=Count("agenda", distinct=True))
    if membership.can("manage_meetings"):
        return qs
    return qs.filter(
        Q(participants__user_id=membership.user_id)
        | Q(agenda__department_id=membership.department_id)
    ).distinct()


def meetings_upcoming(membership: Membership) -> list[ReviewMeeting]:
    return list(
        meetings_visible_to(membership)
        .filter(status=MeetingStatus.SCHEDULED)
        .order_by("scheduled_at", "pk")
    )


def meetings_past(membership: Membership, limit: int = 50) -> list[ReviewMeeting]:
    return list(
        meetings_visible_to(membership)
        .exclude(status=MeetingStatus.SCHEDULED)
        .order_by("-scheduled_at", "-pk")[:limit]
    )


def meeting_detail(meeting: ReviewMeeting) -> dict:
    """Agenda items with their request, timers (how late), escalation steps
    and timeline, participants: a fixed number of queries."""
    items = list(
        AgendaItem.objects.filter(meeting=meeting)
        .select_related(
            "request", "request__serving_department", "request__requesting_department", "department"
        )
        .prefetch_related(
            Prefetch(
                "actions",
                queryset=ActionItem.objects.select_related("owner").order_by("due_date", "pk"),
            )
        )
        .order_by("added_at", "pk")
    )
    request_ids = [i.request_id for i in items]
    timers: dict[int, list[SlaTimer]] = {}
    for timer in SlaTimer.objects.filter(request_id__in=request_ids).order_by("started_at", "pk"):
        timers.setdefault(timer.request_id, []).append(timer)
    events: dict[int, list[SlaEvent]] = {}
    for event in (
        SlaEvent.objects.filter(timer__request_id__in=request_ids)
        .select_related("timer", "actor")
        .order_by("at", "pk")
    ):
        events.setdefault(event.timer.request_id, []).append(event)
    steps: dict[int, list[EscalationStep]] = {}
    for step in (
        EscalationStep.objects.filter(request_id__in=request_ids)
        .select_related("timer")
        .order_by("fired_at")
    ):
        steps.setdefault(step.request_id, []).append(step)
    now = timezone.now()
    for item in items:
        item.timers = timers.get(item.request_id, [])
        item.timeline = events.get(item.request_id, [])
        item.steps = steps.get(item.request_id, [])
        for timer in item.timers:
            timer.late_minutes = late_minutes(timer, now)
            timer.late_text = late_text(timer.late_minutes)
        item.late_minutes = max((t.late_minutes for t in item.timers), default=0)
        item.late_text = late_text(item.late_minutes)
    from requests_sla.meetings.selectors import postmortems_attach

    postmortems_attach(items)  # post-mortem items (no request): the deal, late requests, findings
    participants = list(
        MeetingParticipant.objects.filter(meeting=meeting)
        .select_related("user")
        .order_by("reason", "user__username")
    )
    return {"items": items, "participants": participants}


def late_minutes(timer: SlaTimer, now: dt.datetime) -> int:
    """How late a timer is (or was when it stopped), in minutes; 0 if on time."""
    if timer.state != "breached" or timer.due_at is None:
        return 0
    end = timer.stopped_at or now
    return max(int((end - timer.due_at).total_seconds() // 60), 0)


def late_text(minutes: int) -> str:
    """Real minutes late, in the one duration format (``sla.presentation``)."""
    return duration_text(minutes) if minutes else "—"


def overdue_action_items_for(user, *, today: dt.date | None = None) -> QuerySet[ActionItem]:
    """Open action items of ``user`` past their due date (the queue shows them)."""
    today = today or timezone.localdate()
    return (
        ActionItem.objects.filter(
            owner_id=getattr(user, "pk", user), done_at__isnull=True, due_date__lt=today
        )
        .select_related("agenda_item__request", "agenda_item__meeting")
        .order_by("due_date", "pk")
    )


def meeting_members(organization_id: int) -> list[Membership]:
    return list(
        Membership.objects.filter(is_active=True)
        .select_related("user", "department")
        .order_by("user__username")
    )


@dataclass
class LateRequest:
    request_id: int
    department_id: int
    due_at: dt.datetime | None
    late_minutes: int


def _late(now: dt.datetime) -> Q:
    """A breached timer (current or superseded: was the first department
    late?), or a running one past due that no sweep has marked yet."""
    return Q(state=SlaState.BREACHED) | Q(
        superseded_at__isnull=True, stopped_at__isnull=True, paused=False, due_at__lt=now
    )


def _late_minutes(timer: SlaTimer, now: dt.datetime) -> int:
    if timer.due_at is None:
        return 0
    end = timer.stopped_at or now
    return max(int((end - timer.due_at).total_seconds() // 60), 0)


def late_request_ids(request_ids, *, now: dt.datetime | None = None) -> list[int]:
    """Those of ``request_ids`` (ids, or a subquery of them: the requests
    filed for a deal) with a late timer, in id order."""
    now = now or timezone.now()
    return list(
        Request.objects.filter(
            pk__in=request_ids,
        )
        .filter(
            pk__in=SlaTimer.objects.filter(_late(now)).values("request_id"),
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def late_requests(request_ids, *, now: dt.datetime | None = None) -> list[LateRequest]:
    """The given requests that are late: their breached timers, the department
    answerable (the one blamed when the request went on a meeting's agenda,
    else the serving one) and how late (the latest breached timer). Three
    queries, whatever the number of requests."""
    now = now or timezone.now()
    ids = list(request_ids)
    if not ids:
        return []
    worst: dict[int, tuple[int, dt.datetime | None]] = {}
    for timer in SlaTimer.objects.filter(_late(now), request_id__in=ids).order_by("due_at", "pk"):
        minutes = _late_minutes(timer, now)
        if timer.request_id not in worst or minutes > worst[timer.request_id][0]:
            worst[timer.request_id] = (minutes, timer.due_at)
    blamed = dict(
        AgendaItem.objects.filter(request_id__in=list(worst), department__isnull=False)
        .order_by("request_id", "added_at", "pk")
        .values_list("request_id", "department_id")
    )
    serving = dict(
        Request.objects.filter(pk__in=list(worst)).values_list("pk", "serving_department_id")
    )
    return [
        LateRequest(
            request_id=request_id,
            department_id=blamed.get(request_id, serving[request_id]),
            due_at=due_at,
            late_minutes=minutes,
        )
        for request_id, (minutes, due_at) in sorted(worst.items())
        if request_id in serving
    ]


def postmortem_for_source(source_ref: str) -> PostMortem | None:
    return (
        PostMortem.objects.filter(source_ref=source_ref)
        .select_related("agenda_item__meeting")
        .first()
    )


def postmortems_attach(items: list[AgendaItem]) -> None:
    """Give the post-mortem items of a meeting's agenda ``item.postmortem_info``
    (the post-mortem with ``late`` requests and ``finding_list``, each finding
    with its ``action_list``); other items get None. Four queries at most."""
    by_item = {i.pk: i for i in items if i.request_id is None}
    for item in items:
        item.postmortem_info = None
    if not by_item:
        return
    postmortems = list(
        PostMortem.objects.filter(agenda_item_id__in=list(by_item))
        .prefetch_related(
            Prefetch(
                "late_requests",
                queryset=PostMortemRequest.objects.select_related("request", "department").order_by(
                    "-late_minutes", "pk"
                ),
            ),
            Prefetch(
                "findings",
                queryset=PostMortemFinding.objects.select_related("department")
                .prefetch_related(
                    Prefetch(
                        "actions",
                        queryset=ActionItem.objects.select_related("owner").order_by(
                            "due_date", "pk"
                        ),
                    )
                )
                .order_by("department__sort_order", "pk"),
            ),
        )
        .select_related("opened_by")
    )
    for pm in postmortems:
        pm.late = list(pm.late_requests.all())
        for row in pm.late:
            row.late_text = late_text(row.late_minutes)
        pm.finding_list = list(pm.findings.all())
        for finding in pm.finding_list:
            finding.action_list = list(finding.actions.all())
        by_item[pm.agenda_item_id].postmortem_info = pm
