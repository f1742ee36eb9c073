"""The escalation sweep: due SLA timers → ladder steps, agenda, notifications.

The database is the source of truth, never the broker:

* Selection reads ``SlaTimer.next_check_at <= now`` across organizations on
  a partial index, in keyset pages, so its cost grows with the due timers,
  not with the open requests. ``next_check_at`` is the next instant a
  timer's state can change (``services.sla.next_check``); for a breached
  timer that still runs, this module stores the instant of level 3
  (breach + N working hours of *running* time, pauses excluded) and clears
  it once level 3 is taken.
* Work is grouped by organization: each organization's due timers (in
  chunks of ``CHUNK_SIZE``) are handled in one transaction with a fixed
  number of statements (claim, bulk steps, one UPDATE … FROM unnest for the
  timers, one for the request summaries, bulk agenda, notifications and
  outbox rows); per-organization settings are read once per sweep for all
  organizations of a page.
* Claiming locks the timers and their requests (``FOR UPDATE OF`` both,
  ``SKIP LOCKED``, so it never waits): a request being worked on, or claimed
  by another sweep, is left for the next sweep. The due condition is
  re-checked by the claim on the rows' latest versions.
* Inside the claim a running timer whose cache is current (computed on its
  calendar version, not yet breached) is advanced from the cache alone; any
  other is recomputed from its event log. A paused or stopped timer, or one
  whose request is not open, never gets a rung.
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
from decimal import Decimal
from types import SimpleNamespace

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Case, Value, When
from django.utils import timezone

from collab.tenancy import dangerously_unscoped, organization_scope
from departments.models import Membership, Organization
from departments.roles import Role
from requests_sla.catalog.models import Priority
from requests_sla.meetings.models import (
    AgendaItem,
    MeetingParticipant,
    MeetingStatus,
    ReviewMeeting,
)
from requests_sla.notifications.models import Notification, NotificationKind, WebhookEndpoint
from requests_sla.notifications.services import deliveries_schedule, webhook_events_schedule
from requests_sla.requests.models import OPEN_STATUSES, Request
from requests_sla.sla.calendars import org_calendar
from requests_sla.sla.engine.calendar import whole_minutes
from requests_sla.sla.engine.timers import Target, TimerState, Unit, _budget, _Clock
from requests_sla.sla.models import (
    EscalationLevel,
    EscalationPolicy,
    EscalationStep,
    SlaEvent,
    SlaEventKind,
    SlaState,
    SlaTimer,
)
from requests_sla.sla.outcomes import outcomes_sync_many
from requests_sla.sla.services import (
    STATE_RANK,
    TIMER_CACHE_FIELDS,
    engine_calendar,
    escalation_policy_for,
    next_check,
    next_due_check,
    request_refresh_sla,
    timer_is_running,
    timer_recompute,
)

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
    """What one sweep looks up once per organization (``_contexts_for``
    fetches it for all the organizations of a page at once)."""

    def __init__(
        self, organization_id: int, now: dt.datetime, *, policy=None, people=None, endpoint=False
    ) -> None:
        self.organization_id = organization_id
        self.now = now
        self.policy = policy or escalation_policy_for(organization_id)
        self._calendar = None
        self._organization = None
        self._people = people
        self._meeting: ReviewMeeting | None = None
        self._endpoint = endpoint
        self.meeting_created = False

    @property
    def calendar(self):
        if self._calendar is None:
            self._calendar = org_calendar(self.organization_id, self.now)
        return self._calendar

    @property
    def organization(self) -> Organization:
        if self._organization is None:
            self._organization = Organization.objects.get(pk=self.organization_id)
        return self._organization

    @property
    def endpoint(self):
        if self._endpoint is False:
            self._endpoint = WebhookEndpoint.objects.filter(is_active=True).first()
        return self._endpoint

    @property
    def people(self) -> dict:
        """heads by department id, ops managers, emails, all in one query."""
        if self._people is None:
            rows = Membership.objects.filter(
                is_active=True, role__in=[Role.DEPT_HEAD, Role.OPS_MANAGER]
            ).values_list("user_id", "role", "department_id", "user__email")
            self._people = _people_of(rows)
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
            if IS_POSTGRES():
                with connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT pg_advisory_xact_lock(%s, %s)", [4004, self.organization_id]
                    )
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


def _people_of(rows) -> dict:
    heads: dict[int, list[int]] = defaultdict(list)
    ops: list[int] = []
    emails: dict[int, str] = {}
    for user_id, role, department_id, email in rows:
        if role == Role.DEPT_HEAD and department_id:
            heads[department_id].append(user_id)
        elif role == Role.OPS_MANAGER:
            ops.append(user_id)
        if email:
            emails[user_id] = email
    return {"heads": heads, "ops": ops, "emails": emails}


def _contexts_for(organization_ids: list[int], now: dt.datetime) -> dict[int, _OrgContext]:
    """Policies (created with the defaults where missing), heads and ops
    managers, webhook endpoints of many organizations: four statements in
    all, not four per organization (cross-organization reads of settings)."""
    with dangerously_unscoped():
        EscalationPolicy.unscoped.bulk_create(
            [EscalationPolicy(organization_id=i) for i in organization_ids], ignore_conflicts=True
        )
        policies = {
            p.organization_id: p
            for p in EscalationPolicy.unscoped.filter(organization_id__in=organization_ids)
        }
        rows: dict[int, list] = defaultdict(list)
        for organization_id, *row in Membership.unscoped.filter(
            organization_id__in=organization_ids,
            is_active=True,
            role__in=[Role.DEPT_HEAD, Role.OPS_MANAGER],
        ).values_list("organization_id", "user_id", "role", "department_id", "user__email"):
            rows[organization_id].append(row)
        endpoints: dict[int, WebhookEndpoint] = {}
        for endpoint in WebhookEndpoint.unscoped.filter(
            organization_id__in=organization_ids, is_active=True
        ).order_by("pk"):
            endpoints.setdefault(endpoint.organization_id, endpoint)
    return {
        i: _OrgContext(
            i,
            now,
            policy=policies.get(i),
            people=_people_of(rows.get(i, [])),
            endpoint=endpoints.get(i),
        )
        for i in organization_ids
    }


def next_meeting_slot(calendar, now: dt.datetime, at: dt.time) -> dt.datetime:
    """``at`` local time on the next working day after today."""
    day = calendar.nth_working_day_after(now, 1)
    return dt.datetime.combine(day, at, tzinfo=calendar.tz).astimezone(dt.UTC)


def review_meeting_next(organization_id: int, *, now: dt.datetime | None = None):
    """(meeting, created): the meeting a new agenda item goes on, chosen as the
    sweep chooses it (``_OrgContext.meeting``). Call inside a transaction."""
    ctx = _OrgContext(organization_id, now or timezone.now())
    return ctx.meeting(), ctx.meeting_created


# ---------------------------------------------------------------- the sweep

_T = SlaTimer._meta.db_table
_R = Request._meta.db_table
# One page of due timers across organizations, in (next_check_at, id) order,
# on the partial index. ``bench/sweep.py`` times these very statements as the floor.
DUE_FIRST_PAGE_SQL = (
    f"SELECT id, organization_id, request_id, next_check_at FROM {_T} "  # noqa: S608
    "WHERE next_check_at <= %s ORDER BY next_check_at, id LIMIT %s"
)
DUE_NEXT_PAGE_SQL = (
    f"SELECT id, organization_id, request_id, next_check_at FROM {_T} "  # noqa: S608
    "WHERE next_check_at >= %s AND next_check_at <= %s AND (next_check_at, id) > (%s, %s) "
    "ORDER BY next_check_at, id LIMIT %s"
)
PAGE_SIZE = 10_000
CHUNK_SIZE = 1_000  # timers of one organization per transaction


def due_page(
    now: dt.datetime,
    after: tuple[dt.datetime, int] | None,
    limit: int = PAGE_SIZE,
    organization_id: int | None = None,
) -> list[tuple[int, int, int, dt.datetime]]:
    """(timer id, organization id, request id, next_check_at) of due timers
    after the keyset ``after`` (cross-organization read: ids only), or of one
    organization's."""
    sql = DUE_FIRST_PAGE_SQL if after is None else DUE_NEXT_PAGE_SQL
    params: list = [now, limit] if after is None else [after[0], now, after[0], after[1], limit]
    if organization_id is not None:
        sql = sql.replace(" ORDER BY", " AND organization_id = %s ORDER BY")
        params.insert(-1, organization_id)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def sla_sweep(
    *,
    now: dt.datetime | None = None,
    batch_size: int = PAGE_SIZE,
    chunk_size: int = CHUNK_SIZE,
    dry_run: bool = False,
    max_seconds: float | None = None,
    organization_id: int | None = None,
) -> SweepReport:
    """One pass over every organization's (or one organization's) due timers: pages of ``batch_size``
    due ids, grouped by organization, one transaction per organization's
    chunk of ``chunk_size``. ``dry_run`` does all the work inside
    transactions that are rolled back, and reports it."""
    started = time.monotonic()
    now = now or timezone.now()
    report = SweepReport(now=now)
    contexts: dict[int, _OrgContext] = {}
    after: tuple[dt.datetime, int] | None = None
    out_of_time = False
    while not out_of_time:
        rows = due_page(now, after, batch_size, organization_id)
        if not rows:
            break
        after = (rows[-1][3], rows[-1][0])
        by_org: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for pk, org_id, request_id, _at in rows:
            by_org[org_id].append((pk, request_id))
        contexts.update(_contexts_for([i for i in by_org if i not in contexts], now))
        for org_id, pairs in by_org.items():
            for offset in range(0, len(pairs), chunk_size):
                with organization_scope(org_id):
                    ctx = contexts[org_id]
                    with transaction.atomic():
                        _async_commit()
                        _handle(ctx, pairs[offset : offset + chunk_size], report)
                        if dry_run:
                            transaction.set_rollback(True)
                    if dry_run:
                        ctx._meeting = None  # rolled back with the rest
                if max_seconds and time.monotonic() - started > max_seconds:
                    out_of_time = True  # the rest stays due for the next sweep
                    break
            if out_of_time:
                break
        if len(rows) < batch_size:
            break
    report.meetings_created = sum(1 for c in contexts.values() if c.meeting_created)
    report.seconds = time.monotonic() - started
    return report


# A sweep transaction's commit does not wait for its WAL flush. Safe here:
# everything it writes is derived from the event log and idempotent, so a
# commit lost in a server crash (the last few hundred ms) is simply redone by
# the next sweep, still once; nothing leaves the building before a later,
# synchronous commit (the outbox flush), which flushes the WAL up to it.
ASYNC_COMMIT = True


def _async_commit() -> None:
    if ASYNC_COMMIT and connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")


def _handle(ctx: _OrgContext, pairs: list[tuple[int, int]], report: SweepReport) -> None:
    """One organization's chunk, in the caller's transaction: claim, advance
    the timers, insert the steps, apply their effects; a fixed number of
    statements whatever the chunk's size."""
    now = ctx.now
    organization_id = ctx.organization_id
    # The claim. Lock order is the lifecycle services' (request, then its
    # timers), and SKIP LOCKED never waits: a request being worked on or
    # claimed by another sweep is left for the next sweep. The due condition
    # is re-read under the lock, on the rows' latest versions: a timer
    # handled by another sweep a moment ago is no longer due.
    timers = list(
        SlaTimer.objects.select_for_update(skip_locked=True, of=("self", "request"))
        .filter(
            pk__in=[pk for pk, _request_id in pairs],
            next_check_at__lte=now,
            superseded_at__isnull=True,
        )
        .select_related("request", "calendar")
        .defer("request__description", "request__extra")
        .order_by("pk")
    )
    report.skipped_locked += len(pairs) - len(timers)
    if not timers:
        return
    report.examined += len(timers)
    done: dict[int, set[int]] = defaultdict(set)
    for timer_id, level in EscalationStep.objects.filter(
        timer_id__in=[t.pk for t in timers]
    ).values_list("timer_id", "level"):
        done[timer_id].add(level)
    # A running timer whose cache is current says by itself what crossed; any
    # other (paused or stopped with a stale next check, already breached, on
    # an older calendar version, never computed) is recomputed from its log.
    current = {t.pk for t in timers if _cache_is_current(t, now)}
    events: dict[int, list[SlaEvent]] = defaultdict(list)
    if len(current) < len(timers):
        for event in SlaEvent.objects.filter(
            timer_id__in=[t.pk for t in timers if t.pk not in current]
        ).order_by("timer_id", "at", "pk"):
            events[event.timer_id].append(event)

    hours = dt.timedelta(hours=ctx.policy.follow_up_hours)
    planned: list[tuple[SlaTimer, int, dt.datetime | None, bool]] = []
    outcome_changed: list[SlaTimer] = []
    for timer in timers:
        request = timer.request
        if timer.calendar is None:
            request.organization = ctx.organization  # engine_calendar's fallback reads it
        before = (timer.state, timer.breached_at)
        calendar = engine_calendar(timer, timer.calendar, now)
        if timer.pk in current:
            _advance_cached(timer, calendar, now)
        else:
            timer_recompute(timer, now=now, events=events.get(timer.pk, []), save=False)
        if (timer.state, timer.breached_at) != before:
            outcome_changed.append(timer)
        follow_up = None
        if timer.state == SlaState.BREACHED and timer_is_running(timer):
            if timer.pk in current:  # the due time is in the running stretch
                follow_up = calendar.add_working_time(timer.due_at, hours)
            else:
                follow_up = follow_up_at(
                    calendar, events.get(timer.pk, []), timer.due_at, ctx.policy.follow_up_hours
                )
        rungs = (
            levels_due(timer, done[timer.pk], follow_up, now)
            if request.status in OPEN_STATUSES
            else []
        )
        for level, threshold, caught_up in rungs:
            planned.append((timer, level, threshold, caught_up))
        if timer.state == SlaState.AT_RISK and timer_is_running(timer):
            # The warning rung is taken (or was): next look is at the due time.
            timer.next_check_at = next_due_check(timer, timer.due_at, calendar, now)
        if timer.state == SlaState.BREACHED and timer_is_running(timer):
            taken = done[timer.pk] | {r[0] for r in rungs}
            timer.next_check_at = (
                follow_up if 3 not in taken and follow_up and follow_up > now else None
            )

    inserted = _insert_steps(organization_id, planned, now)
    _save_timers(organization_id, timers)
    # The dashboard's summary rows, as timer_recompute(save=True) keeps them.
    outcomes_sync_many(outcome_changed)
    _refresh_requests(organization_id, {t.request_id for t in timers})
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


def _cache_is_current(timer: SlaTimer, now: dt.datetime) -> bool:
    """Running, not yet breached, computed (at or before ``now``) on the
    calendar version it still runs on. Every event goes through
    ``timer_recompute``, so such a cache describes the log exactly, and the
    due time lies in the current running stretch."""
    row = timer.calendar
    return (
        timer_is_running(timer)
        and timer.state in (SlaState.ON_TRACK, SlaState.AT_RISK)
        and timer.due_at is not None
        and timer.computed_at is not None
        and timer.computed_at <= now
        and timer.calendar_version == (row.version if row is not None else 0)
    )


def _advance_cached(timer: SlaTimer, calendar, now: dt.datetime) -> None:
    """What ``compute_timer`` would give at ``now`` for a timer whose cache is
    current (``_cache_is_current``), from the cache alone: while it runs, its
    due and at-risk instants do not move; elapsed time is the budget minus the
    time left to the due instant (or plus the time past it)."""
    unit = Unit(timer.unit)
    budget, close = _budget(calendar, Target(unit, Decimal(timer.amount)), timer.started_at)
    clock = _Clock(calendar, unit)
    due = timer.due_at
    if now > due:  # running: elapsed > budget exactly when now is past the due instant
        remaining = -clock.measure(due, now)
        state = TimerState.BREACHED
    else:
        remaining = clock.measure(now, due)
        at_risk = timer.at_risk_at is not None and now >= timer.at_risk_at
        state = TimerState.AT_RISK if at_risk else TimerState.ON_TRACK
    horizon = max(t for t in (now, due, close) if t is not None)
    timer.state = str(state)
    timer.met = None
    timer.elapsed_minutes = whole_minutes(budget - remaining)
    timer.budget_minutes = whole_minutes(budget)
    timer.remaining_minutes = whole_minutes(remaining)
    timer.provisional = calendar.is_provisional(timer.started_at, horizon)
    timer.computed_at = now
    timer.breached_at = (timer.breached_at or due) if state == TimerState.BREACHED else None
    result = SimpleNamespace(
        stopped_at=None, paused=False, state=state, at_risk_at=timer.at_risk_at, due_at=due
    )
    timer.next_check_at = next_check(timer, result, calendar, now)


def _insert_steps(organization_id, planned, now) -> list[tuple[int, int, int]]:
    """``ON CONFLICT DO NOTHING RETURNING``: only the rungs this sweep really
    took come back (the unique constraint is the exactly-once guarantee)."""
    if not planned:
        return []
    table = EscalationStep._meta.db_table
    if not IS_POSTGRES():
        return _insert_steps_portable(table, organization_id, planned, now)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (organization_id, request_id, timer_id, level, fired_at, "  # noqa: S608
            "threshold_at, caught_up) "
            "SELECT %s, v.request_id, v.timer_id, v.level, %s, v.threshold_at, v.caught_up "
            "FROM unnest(%s::bigint[], %s::bigint[], %s::smallint[], %s::timestamptz[], "
            "%s::boolean[]) AS v(request_id, timer_id, level, threshold_at, caught_up) "
            "ON CONFLICT (organization_id, request_id, timer_id, level) DO NOTHING "
            "RETURNING id, timer_id, level",
            [
                organization_id,
                now,
                [t.request_id for t, *_rest in planned],
                [t.pk for t, *_rest in planned],
                [level for _t, level, _th, _c in planned],
                [threshold for _t, _l, threshold, _c in planned],
                [caught_up for *_rest, caught_up in planned],
            ],
        )
        return cursor.fetchall()


def _insert_steps_portable(table, organization_id, planned, now) -> list[tuple[int, int, int]]:
    """The same statement row by row, for SQLite (the embedded default of
    ``make run``), which has ON CONFLICT … RETURNING but no arrays."""
    taken = []
    with connection.cursor() as cursor:
        for timer, level, threshold, caught_up in planned:
            cursor.execute(
                f"INSERT INTO {table} (organization_id, request_id, timer_id, level, fired_at, "  # noqa: S608
                "threshold_at, caught_up) VALUES (%s, %s, %s, %s, %s, %s, %s) "
                "ON CONFLICT (organization_id, request_id, timer_id, level) DO NOTHING "
                "RETURNING id, timer_id, level",
                [organization_id, timer.request_id, timer.pk, level, now, threshold, caught_up],
            )
            taken += cursor.fetchall()
    return taken


def IS_POSTGRES() -> bool:  # noqa: N802 (reads like the constant it stands for)
    return connection.vendor == "postgresql"


_SAVED = [*TIMER_CACHE_FIELDS, "calendar_version"]


def _save_timers(organization_id: int, timers: list[SlaTimer]) -> None:
    """The timers' cache columns in one ``UPDATE … FROM unnest(…)``."""
    if not IS_POSTGRES():
        SlaTimer.objects.bulk_update(timers, _SAVED)
        return
    fields = [SlaTimer._meta.get_field(name) for name in _SAVED]
    arrays = ", ".join(["%s::bigint[]"] + [f"%s::{f.db_type(connection)}[]" for f in fields])
    columns = ", ".join(["id"] + [f.column for f in fields])
    assignments = ", ".join(f"{f.column} = v.{f.column}" for f in fields)
    params = [[t.pk for t in timers]]
    params += [[getattr(t, f.attname) for t in timers] for f in fields]
    params.append(organization_id)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {_T} t SET {assignments} FROM unnest({arrays}) AS v({columns}) "  # noqa: S608
            "WHERE t.id = v.id AND t.organization_id = %s",
            params,
        )


def _refresh_requests(organization_id: int, request_ids: set[int]) -> None:
    """The request summary (queue sort key, worst state), as
    ``request_refresh_sla`` computes it, for the whole chunk in one statement
    (only rows whose summary changed are written)."""
    if not IS_POSTGRES():
        for request in Request.objects.filter(pk__in=request_ids):
            request_refresh_sla(request)
        return
    rank = " ".join(f"WHEN '{state}' THEN {n}" for state, n in STATE_RANK.items())
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE {_R} r SET sla_due_at = s.due_at, sla_state = s.state
            FROM (
                SELECT t.request_id,
                    min(t.due_at) FILTER (WHERE t.stopped_at IS NULL AND NOT t.paused) AS due_at,
                    (array_agg(t.state ORDER BY CASE t.state {rank} ELSE 99 END))[1] AS state
                FROM {_T} t
                WHERE t.organization_id = %s AND t.request_id = ANY(%s)
                    AND t.superseded_at IS NULL
                GROUP BY t.request_id
            ) s
            WHERE r.id = s.request_id AND r.organization_id = %s
                AND (r.sla_due_at IS DISTINCT FROM s.due_at OR r.sla_state IS DISTINCT FROM s.state)
            """,  # noqa: S608
            [organization_id, list(request_ids), organization_id],
        )


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
