"""Reads for review meetings and action items (scope must be active)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from departments.models import Membership
from requests_sla.meetings.models import (
    ActionItem,
    AgendaItem,
    MeetingParticipant,
    MeetingStatus,
    ReviewMeeting,
)
from requests_sla.sla.models import EscalationStep, SlaEvent, SlaTimer


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
    from .selectors_postmortems import postmortems_attach  # noqa: PLC0415 (imports this module)

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
    if not minutes:
        return "—"
    hours, rest = divmod(minutes, 60)
    if hours:
        return _("%(h)s 小时 %(m)s 分钟") % {"h": hours, "m": rest}
    return _("%(m)s 分钟") % {"m": rest}


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
