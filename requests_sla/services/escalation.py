"""The escalation sweep: due SLA timers → ladder steps, agenda, notifications.

The database is the source of truth, never the broker:

* Selection reads ``SlaTimer.next_check_at <= now`` across organizations on
  a partial index, in keyset pages, so its cost grows with the due timers,
  not with the open requests. ``next_check_at`` is the next instant a
  timer's state can change (``services.sla._next_check``); for a breached
  timer that still runs, this module stores the instant of level 3
  (breach + N working hours of *running* time, pauses excluded) and clears
  it once level 3 is taken.
* Claiming locks the requests first (the lifecycle services' lock order:
  request, then its timers) with ``SKIP LOCKED``: a request being worked on,
  or claimed by another sweep, is left for the next sweep.
* Inside the claim each timer is recomputed from its event log, so a
  request paused or resolved a moment ago is never escalated.
* Steps are inserted with ``ON CONFLICT DO NOTHING RETURNING`` on the unique
  (organization, request, timer, level): only rows this sweep really
  inserted get a meeting item and notifications, in the same transaction.
  Twice, concurrently, after a crash, from two beat processes: each rung
  once.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Case, Q, Value, When
from django.utils import timezone

from collab.tenancy import dangerously_unscoped, organization_scope
from departments.models import Membership
from departments.roles import Role

from ..calendars import calendar_row_for
from ..models import (
    OPEN_STATUSES,
    AgendaItem,
    EscalationLevel,
    EscalationStep,
    MeetingParticipant,
    MeetingStatus,
    Notification,
    NotificationKind,
    Priority,
    Request,
    ReviewMeeting,
    SlaEvent,
    SlaEventKind,
    SlaState,
    SlaTimer,
    WebhookEndpoint,
)
from .dashboard import outcome_sync
from .notifications import deliveries_schedule, org_calendar, policy_for, webhook_events_schedule
from .sla import _STATE_RANK, TIMER_CACHE_FIELDS, engine_calendar, timer_is_running, timer_recompute

log = logging.getLogger(__name__)
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


@dataclass
class Escalation:
    organization_id: int
    request_id: int
    reference: str
    timer_id: int
    timer_key: str
    level: int
    threshold_at: dt.datetime | None
    caught_up: bool = False


@dataclass
class SweepReport:
    now: dt.datetime
    examined: int = 0
    skipped_locked: int = 0
    escalations: list[Escalation] = field(default_factory=list)
    meetings_created: int = 0
    notifications: int = 0
    seconds: float = 0.0

    def count(self, level: int) -> int:
        return sum(1 for e in self.escalations if e.level == level)


# ---------------------------------------------------------------- pure parts


def follow_up_at(calendar, events, due_at: dt.datetime | None, hours: int) -> dt.datetime | None:
    """The instant the timer has *run* ``hours`` working hours past ``due_at``
    (paused or stopped stretches do not count); None while it is not running
    and has not got there."""
    if due_at is None:
        return None
    segments: list[list] = []
    for event in events:
        if event.kind in (SlaEventKind.START, SlaEventKind.RESUME):
            segments.append([event.at, None])
        elif (
            event.kind in (SlaEventKind.PAUSE, SlaEventKind.STOP)
            and segments
            and segments[-1][1] is None
        ):
            segments[-1][1] = event.at
    remaining = dt.timedelta(hours=hours)
    for start, end in segments:
        start = max(start, due_at)
        if end is None:
            return calendar.add_working_time(start, remaining)
        if end <= start:
            continue
        length = calendar.working_time_between(start, end)
        if remaining <= length:
            return calendar.add_working_time(start, remaining)
        remaining -= length
    return None


def levels_due(
    timer: SlaTimer, done: set[int], follow_up: dt.datetime | None, now: dt.datetime
) -> list[tuple[int, dt.datetime | None, bool]]:
    """(level, threshold, caught_up) rungs the recomputed timer is owed now."""
    if not timer_is_running(timer):
        return []
    due: list[tuple[int, dt.datetime | None, bool]] = []
    if timer.state == SlaState.AT_RISK and 1 not in done:
        due.append((1, timer.at_risk_at, False))
    elif timer.state == SlaState.BREACHED:
        if 1 not in done:
            due.append((1, timer.at_risk_at, True))
        if 2 not in done:
            due.append((2, timer.due_at, False))
        if 3 not in done and follow_up is not None and follow_up <= now:
            due.append((3, follow_up, False))
    return due


# ---------------------------------------------------------------- per-sweep cache


class _OrgContext:
    """What one sweep looks up once per organization."""

    def __init__(self, organization_id: int, now: dt.datetime) -> None:
        self.organization_id = organization_id
        self.now = now
        self.policy = policy_for(organization_id)
        self._calendar = None
        self._rows: dict[int | None, object] = {}
        self._people = None
        self._meeting: ReviewMeeting | None = None
        self._endpoint = False
        self.meeting_created = False

    @property
    def calendar(self):
        if self._calendar is None:
            self._calendar = org_calendar(self.organization_id, self.now)
        return self._calendar

    def calendar_row(self, department_id):
        if department_id not in self._rows:
            self._rows[department_id] = calendar_row_for(department_id)
        return self._rows[department_id]

    @property
    def endpoint(self):
        if self._endpoint is False:
            self._endpoint = WebhookEndpoint.objects.filter(is_active=True).first()
        return self._endpoint

    @property
    def people(self) -> dict:
        """heads by department id, ops managers, emails, all in one query."""
        if self._people is None:
            heads: dict[int, list[int]] = defaultdict(list)
            ops: list[int] = []
            emails: dict[int, str] = {}
            rows = Membership.objects.filter(
                is_active=True, role__in=[Role.DEPT_HEAD, Role.OPS_MANAGER]
            ).values_list("user_id", "role", "department_id", "user__email")
            for user_id, role, department_id, email in rows:
                if role == Role.DEPT_HEAD and department_id:
                    heads[department_id].append(user_id)
                elif role == Role.OPS_MANAGER:
                    ops.append(user_id)
                if email:
                    emails[user_id] = email
            self._people = {"heads": heads, "ops": ops, "emails": emails}
        return self._people

    def meeting(self) -> ReviewMeeting:
        """The next scheduled review meeting inside the window, or a new one
        at the next working slot. One lookup per organization per sweep; an
        advisory lock keeps two sweeps from creating two meetings."""
        if self._meeting is not None:
            return self._meeting
        window_end = self.calendar.close_of_nth_working_day_after(
            self.now, max(self.policy.meeting_window_days, 1)
        )
        found = self._find(window_end)
        if found is None:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [4004, self.organization_id])
            found = self._find(window_end)
        if found is None:
            found = ReviewMeeting.objects.create(
                organization_id=self.organization_id,
                title="",
                scheduled_at=next_meeting_slot(self.calendar, self.now, self.policy.meeting_time),
                duration_minutes=self.policy.meeting_duration_minutes,
                created_by_escalation=True,
            )
            self.meeting_created = True
            ops = self.people["ops"]
            MeetingParticipant.objects.bulk_create(
                [
                    MeetingParticipant(
                        organization_id=self.organization_id, meeting=found, user_id=u, reason="ops"
                    )
                    for u in ops
                ],
                ignore_conflicts=True,
            )
            if ops and found.chair_id is None:
                ReviewMeeting.objects.filter(pk=found.pk).update(chair_id=ops[0])
                found.chair_id = ops[0]
        self._meeting = found
        return found

    def _find(self, window_end):
        return (
            ReviewMeeting.objects.filter(
                status=MeetingStatus.SCHEDULED,
                scheduled_at__gte=self.now,
                scheduled_at__lte=window_end,
            )
            .order_by("scheduled_at", "pk")
            .first()
        )


def next_meeting_slot(calendar, now: dt.datetime, at: dt.time) -> dt.datetime:
    """``at`` local time on the next working day after today."""
    day = calendar.nth_working_day_after(now, 1)
    return dt.datetime.combine(day, at, tzinfo=calendar.tz).astimezone(dt.UTC)


# ---------------------------------------------------------------- the sweep


def sla_sweep(
    *,
    now: dt.datetime | None = None,
    batch_size: int = 2000,
    dry_run: bool = False,
    max_seconds: float | None = None,
) -> SweepReport:
    """One pass over every organization's due timers. ``dry_run`` does all
    the work inside transactions that are rolled back, and reports it."""
    started = time.monotonic()
    now = now or timezone.now()
    report = SweepReport(now=now)
    contexts: dict[int, _OrgContext] = {}
    cursor: tuple[dt.datetime, int] | None = None
    while True:
        with dangerously_unscoped():
            due = SlaTimer.unscoped.filter(next_check_at__lte=now)
            if cursor is not None:
                due = due.filter(
                    Q(next_check_at__gt=cursor[0]) | Q(next_check_at=cursor[0], pk__gt=cursor[1])
                )
            rows = list(
                due.order_by("next_check_at", "pk").values_list(
                    "pk", "organization_id", "request_id", "next_check_at"
                )[:batch_size]
            )
        if not rows:
            break
        cursor = (rows[-1][3], rows[-1][0])
        by_org: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for pk, organization_id, request_id, _at in rows:
            by_org[organization_id].append((pk, request_id))
        for organization_id, pairs in by_org.items():
            with organization_scope(organization_id):
                if organization_id not in contexts:
                    contexts[organization_id] = _OrgContext(organization_id, now)
                ctx = contexts[organization_id]
                with transaction.atomic():
                    _handle(ctx, pairs, report)
                    if dry_run:
                        transaction.set_rollback(True)
                if dry_run:
                    ctx._meeting = None  # rolled back with the rest
        if len(rows) < batch_size or (max_seconds and time.monotonic() - started > max_seconds):
            break
    report.meetings_created = sum(1 for c in contexts.values() if c.meeting_created)
    report.seconds = time.monotonic() - started
    return report


def _handle(ctx: _OrgContext, pairs: list[tuple[int, int]], report: SweepReport) -> None:
    now = ctx.now
    organization_id = ctx.organization_id
    request_ids = {request_id for _pk, request_id in pairs}
    requests = {
        r.pk: r
        for r in Request.objects.select_for_update(skip_locked=True, of=("self",)).filter(
            pk__in=request_ids
        )
    }
    timer_ids = [pk for pk, request_id in pairs if request_id in requests]
    report.skipped_locked += len(pairs) - len(timer_ids)
    if not timer_ids:
        return
    # Re-check the due condition now that the request is ours: another sweep
    # may have handled it and committed a moment ago.
    timers = list(
        SlaTimer.objects.filter(
            pk__in=timer_ids, next_check_at__lte=now, superseded_at__isnull=True
        )
        .select_related("calendar")
        .order_by("pk")
    )
    if not timers:
        return
    report.examined += len(timers)
    events: dict[int, list[SlaEvent]] = defaultdict(list)
    for event in SlaEvent.objects.filter(timer_id__in=[t.pk for t in timers]).order_by(
        "timer_id", "at", "pk"
    ):
        events[event.timer_id].append(event)
    done: dict[int, set[int]] = defaultdict(set)
    for timer_id, level in EscalationStep.objects.filter(
        timer_id__in=[t.pk for t in timers]
    ).values_list("timer_id", "level"):
        done[timer_id].add(level)

    planned: list[tuple[SlaTimer, int, dt.datetime | None, bool]] = []
    outcome_changed: list[SlaTimer] = []
    for timer in timers:
        request = requests[timer.request_id]
        timer.request = request
        timer_events = events.get(timer.pk, [])
        before = (timer.state, timer.breached_at)
        timer_recompute(timer, now=now, events=timer_events, save=False)
        if (timer.state, timer.breached_at) != before:
            outcome_changed.append(timer)
        follow_up = None
        if timer.state == SlaState.BREACHED and timer_is_running(timer):
            calendar = engine_calendar(timer, timer.calendar, now)
            follow_up = follow_up_at(
                calendar, timer_events, timer.due_at, ctx.policy.follow_up_hours
            )
        rungs = (
            levels_due(timer, done[timer.pk], follow_up, now)
            if request.status in OPEN_STATUSES
            else []
        )
        for level, threshold, caught_up in rungs:
            planned.append((timer, level, threshold, caught_up))
        if timer.state == SlaState.BREACHED and timer_is_running(timer):
            taken = done[timer.pk] | {r[0] for r in rungs}
            timer.next_check_at = (
                follow_up if 3 not in taken and follow_up and follow_up > now else None
            )

    inserted = _insert_steps(organization_id, planned, now)
    SlaTimer.objects.bulk_update(
        timers, [*TIMER_CACHE_FIELDS, "calendar", "calendar_version"], batch_size=500
    )
    for timer in outcome_changed:
        outcome_sync(timer)  # the dashboard's summary row, as timer_recompute(save=True) does
    _refresh_requests(requests, timers)
    if not inserted:
        return

    by_key = {
        (t.pk, level): (t, threshold, caught_up) for t, level, threshold, caught_up in planned
    }
    steps = []
    for step_id, timer_id, level in inserted:
        timer, threshold, caught_up = by_key[(timer_id, level)]
        steps.append((step_id, timer, level, caught_up))
        report.escalations.append(
            Escalation(
                organization_id,
                timer.request_id,
                timer.request.reference,
                timer.pk,
                timer.key,
                level,
                threshold,
                caught_up,
            )
        )
    _apply(ctx, steps, report)


def _insert_steps(organization_id, planned, now) -> list[tuple[int, int, int]]:
    if not planned:
        return []
    table = EscalationStep._meta.db_table
    values = []
    params: list = []
    for timer, level, threshold, caught_up in planned:
        values.append("(%s, %s, %s, %s, %s, %s, %s)")
        params += [organization_id, timer.request_id, timer.pk, level, now, threshold, caught_up]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (organization_id, request_id, timer_id, level, fired_at, threshold_at, caught_up) "  # noqa: S608
            f"VALUES {', '.join(values)} "
            "ON CONFLICT (organization_id, request_id, timer_id, level) DO NOTHING "
            "RETURNING id, timer_id, level",
            params,
        )
        return cursor.fetchall()


def _refresh_requests(requests: dict[int, Request], timers: list[SlaTimer]) -> None:
    """The request summary (queue sort key, worst state), as
    ``request_refresh_sla`` computes it, for the whole batch at once."""
    fresh = {t.pk: t for t in timers}
    current: dict[int, list[SlaTimer]] = defaultdict(list)
    for timer in SlaTimer.objects.filter(request_id__in=list(requests), superseded_at__isnull=True):
        current[timer.request_id].append(fresh.get(timer.pk, timer))
    changed = []
    for request_id, request in requests.items():
        rows = current.get(request_id, [])
        running_due = [t.due_at for t in rows if timer_is_running(t) and t.due_at]
        due_at = min(running_due) if running_due else None
        state = min((t.state for t in rows), key=lambda s: _STATE_RANK[s], default="")
        if (request.sla_due_at, request.sla_state) != (due_at, state):
            request.sla_due_at, request.sla_state = due_at, state
            changed.append(request)
    if changed:
        Request.objects.bulk_update(changed, ["sla_due_at", "sla_state"], batch_size=500)


def _apply(ctx: _OrgContext, steps, report: SweepReport) -> None:
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
                (f"escalation:{step_id}", _payload(timer, level, meeting if level == 2 else None))
                for step_id, timer, level, caught_up in steps
                if not caught_up
            ),
            now=now,
            endpoint=ctx.endpoint,
        )


def _payload(timer: SlaTimer, level: int, meeting: ReviewMeeting | None) -> dict:
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
