"""The escalation sweep: due SLA timers → ladder steps, agenda, notifications.

The database is the source of truth, never the broker:

* Selection reads ``SlaTimer.next_check_at <= now`` across organizations on
  a partial index, in keyset pages, so its cost grows with the due timers,
  not with the open requests. ``next_check_at`` is the next instant a
  timer's state can change (``sla.services.next_check``); for a breached
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
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Field
from django.utils import timezone

from collab.tenancy import dangerously_unscoped, organization_scope
from requests_sla.escalation.services.context import OrgContext, contexts_for
from requests_sla.escalation.services.effects import Step, effects_apply
from requests_sla.escalation.services.ladder import (
    Escalation,
    SweepReport,
    follow_up_at,
    levels_due,
)
from requests_sla.requests.models import OPEN_STATUSES, Request
from requests_sla.sla.engine.calendar import BusinessCalendar as EngineCalendar
from requests_sla.sla.engine.calendar import whole_minutes
from requests_sla.sla.engine.timers import (
    Target,
    TimerResult,
    TimerState,
    Unit,
    UnitClock,
    target_budget,
)
from requests_sla.sla.models import (
    EscalationStep,
    SlaEvent,
    SlaState,
    SlaTimer,
)
from requests_sla.sla.outcomes import outcomes_sync_many
from requests_sla.sla.services import (
    STATE_RANK,
    TIMER_CACHE_FIELDS,
    engine_calendar,
    next_check,
    next_due_check,
    timer_is_running,
    timer_recompute,
)

log = logging.getLogger(__name__)
User = get_user_model()


# ---------------------------------------------------------------- pure parts


# ---------------------------------------------------------------- per-sweep cache


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
    params: list[Any] = (
        [now, limit] if after is None else [after[0], now, after[0], after[1], limit]
    )
    if organization_id is not None:
        sql = sql.replace(" ORDER BY", " AND organization_id = %s ORDER BY")
        params.insert(-1, organization_id)
    # One organization's page needs no cross-organization read: its own scope.
    scope = (
        organization_scope(organization_id)
        if organization_id is not None
        else dangerously_unscoped("the sweep's due timer ids")
    )
    with scope, connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


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
    contexts: dict[int, OrgContext] = {}
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
        contexts.update(contexts_for([i for i in by_org if i not in contexts], now))
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
    if ASYNC_COMMIT:
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")


def _handle(ctx: OrgContext, pairs: list[tuple[int, int]], report: SweepReport) -> None:
    """One organization's chunk, in the caller's transaction: claim, advance
    the timers, insert the steps, apply their effects; a fixed number of
    statements whatever the chunk's size."""
    now = ctx.now
    organization_id = ctx.organization_id
    timers = _claim(pairs, now, report)
    if not timers:
        return
    done = _levels_taken(timers)
    # A running timer whose cache is current says by itself what crossed; any
    # other (paused or stopped with a stale next check, already breached, on
    # an older calendar version, never computed) is recomputed from its log.
    current = {t.pk for t in timers if _cache_is_current(t, now)}
    events = _events_of(t.pk for t in timers if t.pk not in current)
    planned: list[Planned] = []
    outcome_changed: list[SlaTimer] = []
    for timer in timers:
        changed, rungs = _advance(
            ctx, timer, cached=timer.pk in current, events=events, done=done[timer.pk]
        )
        if changed:
            outcome_changed.append(timer)
        planned += [(timer, level, threshold, caught_up) for level, threshold, caught_up in rungs]

    inserted = _insert_steps(organization_id, planned, now)
    _save_timers(organization_id, timers)
    # The dashboard's summary rows, as timer_recompute(save=True) keeps them.
    outcomes_sync_many(outcome_changed)
    _refresh_requests(organization_id, {t.request_id for t in timers})
    if inserted:
        effects_apply(ctx, _steps_report(organization_id, planned, inserted, report), report)


# A rung the sweep means to take: (timer, level, threshold, caught up).
Planned = tuple[SlaTimer, int, dt.datetime | None, bool]


def _claim(pairs: list[tuple[int, int]], now: dt.datetime, report: SweepReport) -> list[SlaTimer]:
    """Lock the chunk's timers that are still due. Lock order is the lifecycle
    services' (request, then its timers), and SKIP LOCKED never waits: a
    request being worked on or claimed by another sweep is left for the next
    sweep. The due condition is re-read under the lock, on the rows' latest
    versions: a timer handled by another sweep a moment ago is no longer due."""
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
    report.examined += len(timers)
    return timers


def _levels_taken(timers: list[SlaTimer]) -> defaultdict[int, set[int]]:
    """The rungs each timer already has: timer id → levels."""
    done: defaultdict[int, set[int]] = defaultdict(set)
    for timer_id, level in EscalationStep.objects.filter(
        timer_id__in=[t.pk for t in timers]
    ).values_list("timer_id", "level"):
        done[timer_id].add(level)
    return done


def _events_of(timer_ids: Iterable[int]) -> defaultdict[int, list[SlaEvent]]:
    """The event logs of the timers that must be recomputed (none: no query)."""
    events: defaultdict[int, list[SlaEvent]] = defaultdict(list)
    ids = list(timer_ids)
    if ids:
        for event in SlaEvent.objects.filter(timer_id__in=ids).order_by("timer_id", "at", "pk"):
            events[event.timer_id].append(event)
    return events


def _advance(
    ctx: OrgContext,
    timer: SlaTimer,
    *,
    cached: bool,
    events: dict[int, list[SlaEvent]],
    done: set[int],
) -> tuple[bool, list[tuple[int, dt.datetime | None, bool]]]:
    """Bring one claimed timer to ``now`` (from its cache, or its log), and
    say whether its outcome changed and which rungs it is owed; moves its
    next check on past the rungs taken."""
    now = ctx.now
    request = timer.request
    if timer.calendar is None:
        request.organization = ctx.organization  # engine_calendar's fallback reads it
    before = (timer.state, timer.breached_at)
    calendar = engine_calendar(timer, timer.calendar, now)
    if cached:
        _advance_cached(timer, calendar, now)
    else:
        timer_recompute(timer, now=now, events=events.get(timer.pk, []), save=False)
    changed = (timer.state, timer.breached_at) != before
    running = timer_is_running(timer)
    follow_up = None
    if timer.state == SlaState.BREACHED and running:
        hours = ctx.policy.follow_up_hours
        if cached:  # the due time is in the running stretch
            assert timer.due_at is not None  # a current cache has a due time
            follow_up = calendar.add_working_time(timer.due_at, dt.timedelta(hours=hours))
        else:
            follow_up = follow_up_at(calendar, events.get(timer.pk, []), timer.due_at, hours)
    rungs = levels_due(timer, done, follow_up, now) if request.status in OPEN_STATUSES else []
    if timer.state == SlaState.AT_RISK and running:
        # The warning rung is taken (or was): next look is at the due time.
        timer.next_check_at = next_due_check(timer, timer.due_at, calendar, now)
    if timer.state == SlaState.BREACHED and running:
        taken = done | {r[0] for r in rungs}
        timer.next_check_at = (
            follow_up if 3 not in taken and follow_up and follow_up > now else None
        )
    return changed, rungs


def _steps_report(
    organization_id: int,
    planned: list[Planned],
    inserted: list[tuple[int, int, int]],
    report: SweepReport,
) -> list[Step]:
    """The rungs this sweep really took, as steps for their effects, each
    reported."""
    by_key = {
        (t.pk, level): (t, threshold, caught_up) for t, level, threshold, caught_up in planned
    }
    steps: list[Step] = []
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
    return steps


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


def _advance_cached(timer: SlaTimer, calendar: EngineCalendar, now: dt.datetime) -> None:
    """What ``compute_timer`` would give at ``now`` for a timer whose cache is
    current (``_cache_is_current``), from the cache alone: while it runs, its
    due and at-risk instants do not move; elapsed time is the budget minus the
    time left to the due instant (or plus the time past it)."""
    unit = Unit(timer.unit)
    budget, close = target_budget(calendar, Target(unit, Decimal(timer.amount)), timer.started_at)
    clock = UnitClock(calendar, unit)
    due = timer.due_at
    assert due is not None  # a current cache has a due time
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
    result = TimerResult(
        due_at=due,
        elapsed_minutes=timer.elapsed_minutes,
        budget_minutes=timer.budget_minutes,
        remaining_minutes=timer.remaining_minutes,
        state=state,
        paused=False,
        stopped_at=None,
        met=None,
        margin_minutes=None,
        at_risk_at=timer.at_risk_at,
        provisional=timer.provisional,
        elapsed=budget - remaining,
        budget=budget,
        remaining=remaining,
    )
    timer.next_check_at = next_check(timer, result, calendar, now)


def _insert_steps(
    organization_id: int, planned: list[Planned], now: dt.datetime
) -> list[tuple[int, int, int]]:
    """``ON CONFLICT DO NOTHING RETURNING``: only the rungs this sweep really
    took come back (the unique constraint is the exactly-once guarantee)."""
    if not planned:
        return []
    table = EscalationStep._meta.db_table
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
        return list(cursor.fetchall())


_SAVED = [*TIMER_CACHE_FIELDS, "calendar_version"]


def _concrete(name: str) -> Field[Any, Any]:
    field = SlaTimer._meta.get_field(name)
    assert isinstance(field, Field)  # the cache columns are plain columns
    return field


def _save_timers(organization_id: int, timers: list[SlaTimer]) -> None:
    """The timers' cache columns in one ``UPDATE … FROM unnest(…)``."""
    fields = [_concrete(name) for name in _SAVED]
    arrays = ", ".join(["%s::bigint[]"] + [f"%s::{f.db_type(connection)}[]" for f in fields])
    columns = ", ".join(["id"] + [f.column for f in fields])
    assignments = ", ".join(f"{f.column} = v.{f.column}" for f in fields)
    params: list[Any] = [[t.pk for t in timers]]
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
