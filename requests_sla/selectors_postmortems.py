"""Reads for lost-deal post-mortems (scope must be active)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Prefetch, Q
from django.utils import timezone

from requests_sla.meetings.models import (
    ActionItem,
    AgendaItem,
    PostMortem,
    PostMortemFinding,
    PostMortemRequest,
)
from requests_sla.requests.models import Request
from requests_sla.sla.models import SlaState, SlaTimer

from .selectors_meetings import late_text


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


def late_request_ids(*, opportunity_id: int, now: dt.datetime | None = None) -> list[int]:
    """Requests filed for the deal (``Request.opportunity_id``) with a late timer."""
    now = now or timezone.now()
    return list(
        Request.objects.filter(
            opportunity_id=opportunity_id,
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
