"""SLA timers: append events, recompute the cached fields from the log.

A timer's truth is its ``SlaEvent`` rows; ``timer_recompute`` runs the pure
``compute_timer`` over them and rewrites the cache on the ``SlaTimer`` row
(and the request's ``sla_due_at``/``sla_state`` summary). Callers hold the
request's row lock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from collab.tenancy import organization_scope
from departments.models import Organization
from requests_sla.sla.calendars import (
    build_calendar,
    calendar_row_for,
    fallback_calendar,
    years_for,
)
from requests_sla.sla.engine.calendar import BusinessCalendar as EngineCalendar
from requests_sla.sla.engine.timers import (
    EventKind,
    Target,
    TimerEvent,
    TimerResult,
    TimerState,
    Unit,
    compute_timer,
)
from requests_sla.sla.models import (
    BusinessCalendar,
    SlaEvent,
    SlaEventKind,
    SlaState,
    SlaTimer,
    TimerKind,
)
from requests_sla.sla.outcomes import counts as outcome_counts
from requests_sla.sla.outcomes import outcome_sync, outcomes_sync_many

if TYPE_CHECKING:  # sla/ sits below requests/: types only, never at run time
    from django.contrib.auth.models import User

    from requests_sla.catalog.models import RequestType
    from requests_sla.requests.models import Request

TIMER_CACHE_FIELDS = [
    "due_at",
    "state",
    "at_risk_at",
    "next_check_at",
    "breached_at",
    "met",
    "stopped_at",
    "paused",
    "elapsed_minutes",
    "budget_minutes",
    "remaining_minutes",
    "provisional",
    "computed_at",
]
BREACH_STEP = dt.timedelta(seconds=1)
STATE_RANK: dict[str, int] = {
    SlaState.BREACHED: 0,
    SlaState.AT_RISK: 1,
    SlaState.ON_TRACK: 2,
    SlaState.PAUSED: 3,
    SlaState.MET: 4,
}


def engine_calendar(
    timer: SlaTimer, row: BusinessCalendar | None, now: dt.datetime
) -> EngineCalendar:
    years = years_for(timer.started_at, now)
    if row is None:
        org = timer.request.organization
        return fallback_calendar(org.timezone, org.country, years)
    return build_calendar(row, years)


def _engine_events(events: Iterable[SlaEvent]) -> list[TimerEvent]:
    return [
        TimerEvent(EventKind(e.kind), e.at, e.reason)
        for e in events
        if e.kind != SlaEventKind.RECALCULATED
    ]


def next_check(
    timer: SlaTimer, result: TimerResult, calendar: EngineCalendar, now: dt.datetime
) -> dt.datetime | None:
    """The next instant the cached state can change without a new event."""
    if result.stopped_at is not None or result.paused:
        return None
    if result.state == TimerState.BREACHED:
        # Breached and still running: hand it to the escalation sweep, which
        # stores its next rung (N working hours later) or None when done.
        return now
    if result.state == TimerState.ON_TRACK and result.at_risk_at and result.at_risk_at > now:
        return result.at_risk_at
    if result.state == TimerState.AT_RISK:
        # At risk now. When the sweep crossed at_risk_at itself it moves the
        # check on to the due time (``next_due_check``) after taking the
        # warning rung; when a recompute got here (a reopen, a resume, a
        # calendar change), the sweep must look now or the warning is lost.
        return now
    return next_due_check(timer, result.due_at, calendar, now)


def next_due_check(
    timer: SlaTimer, due: dt.datetime | None, calendar: EngineCalendar, now: dt.datetime
) -> dt.datetime | None:
    """When a running timer due at ``due`` can next change state: at its due
    time, or (if that has passed) when the breach becomes true."""
    if due is None:
        return None
    if due > now:
        return due
    # Due now or past but not yet breached (working units: budget used up at
    # close of business, breach at the next working minute).
    if timer.unit == Unit.CALENDAR_HOURS:
        return due + BREACH_STEP
    return calendar.next_working_minute(due + BREACH_STEP) + BREACH_STEP


def timer_recompute(
    timer: SlaTimer,
    *,
    now: dt.datetime | None = None,
    events: Sequence[SlaEvent] | None = None,
    calendar_row: BusinessCalendar | None | bool = False,
    save: bool = True,
) -> SlaTimer:
    """Rewrite the timer's cached fields from its event log.

    ``calendar_row=False`` means "the timer's own calendar"; pass a row (or
    None for the fallback) to move the timer to another calendar.
    """
    now = now or timezone.now()
    row = timer.calendar if isinstance(calendar_row, bool) else calendar_row
    if events is None:
        events = list(timer.events.order_by("at", "id"))
    calendar = engine_calendar(timer, row, now)
    result = compute_timer(
        calendar,
        Target(Unit(timer.unit), Decimal(timer.amount)),
        _engine_events(events),
        now,
    )
    timer.calendar = row
    timer.calendar_version = row.version if row is not None else 0
    timer.due_at = result.due_at
    timer.state = str(result.state)
    timer.at_risk_at = result.at_risk_at
    timer.stopped_at = result.stopped_at
    timer.paused = result.paused
    timer.met = result.met
    timer.elapsed_minutes = result.elapsed_minutes
    timer.budget_minutes = result.budget_minutes
    timer.remaining_minutes = result.remaining_minutes
    timer.provisional = result.provisional
    timer.computed_at = now
    if result.state == TimerState.BREACHED:
        timer.breached_at = timer.breached_at or result.due_at or now
    else:
        timer.breached_at = None  # a reopened timer's budget can be intact again
    timer.next_check_at = None if timer.superseded_at else next_check(timer, result, calendar, now)
    if save:
        timer.save(update_fields=[*TIMER_CACHE_FIELDS, "calendar", "calendar_version"])
        outcome_sync(timer)  # the dashboard's summary row (issue 5), same transaction
    return timer


def _timer_plan(
    *,
    request: Request,
    kind: str,
    key: str,
    target: dict[str, Any],
    policy_version: int,
    at: dt.datetime,
    actor: User | None,
    calendar_row: BusinessCalendar | None,
    name_zh: str = "",
    name_en: str = "",
) -> tuple[SlaTimer, SlaEvent]:
    """One timer and its start event, computed from that event, not saved."""
    timer = SlaTimer(
        organization_id=request.organization_id,
        request=request,
        kind=kind,
        key=key,
        name_zh=name_zh,
        name_en=name_en,
        unit=target["unit"],
        amount=Decimal(str(target["amount"])),
        policy_version=policy_version,
        calendar=calendar_row,
        calendar_version=calendar_row.version if calendar_row else 0,
        started_at=at,
        state=SlaState.ON_TRACK,
    )
    event = SlaEvent(
        organization_id=request.organization_id,
        timer=timer,
        kind=SlaEventKind.START,
        at=at,
        actor=actor,
        calendar_version=timer.calendar_version,
        policy_version=policy_version,
    )
    timer_recompute(timer, events=[event], calendar_row=calendar_row, save=False)
    return timer, event


def timers_plan(
    *, request: Request, at: dt.datetime, actor: User | None
) -> list[tuple[SlaTimer, SlaEvent]]:
    """The response, resolution and milestone timers of the request's type and
    priority (the policy in force at ``at``), each with its start event,
    computed in memory. Filing plans them before the request row exists, so
    the row is written once, already carrying its SLA summary."""
    request_type = request.request_type
    policy = request_type.targets_for(request.priority)
    calendar_row = calendar_row_for(request.serving_department_id)
    specs = [
        (TimerKind.RESPONSE, "response", policy["response"], "", ""),
        (TimerKind.RESOLUTION, "resolution", policy["resolution"], "", ""),
    ]
    specs += [
        (TimerKind.MILESTONE, m["key"], m, m.get("name_zh", ""), m.get("name_en", ""))
        for m in policy.get("milestones") or []
    ]
    return [
        _timer_plan(
            request=request,
            kind=kind,
            key=key,
            target=target,
            policy_version=request_type.policy_version,
            at=at,
            actor=actor,
            calendar_row=calendar_row,
            name_zh=name_zh,
            name_en=name_en,
        )
        for kind, key, target, name_zh, name_en in specs
    ]


def timers_insert(planned: Sequence[tuple[SlaTimer, SlaEvent]]) -> list[SlaTimer]:
    """Write planned timers and their start events: one INSERT each."""
    timers = SlaTimer.objects.bulk_create([timer for timer, _ in planned])
    SlaEvent.objects.bulk_create([event for _, event in planned])  # event.timer now has its pk
    # Only a backdated filing can start already breached: one upsert for those.
    outcomes_sync_many([timer for timer in timers if outcome_counts(timer)])
    return timers


def timers_start_for(*, request: Request, at: dt.datetime, actor: User | None) -> list[SlaTimer]:
    """Start the request's timers (see ``timers_plan``) on a saved request."""
    return timers_insert(timers_plan(request=request, at=at, actor=actor))


def milestone_timer_start(
    *,
    request: Request,
    key: str,
    target: dict[str, Any],
    at: dt.datetime,
    actor: User | None,
    name_zh: str = "",
    name_en: str = "",
) -> SlaTimer:
    """Start one milestone timer on a saved request (an approval step's own
    clock): the serving department's calendar, the type's policy version."""
    planned = _timer_plan(
        request=request,
        kind=TimerKind.MILESTONE,
        key=key,
        target=target,
        policy_version=request.request_type.policy_version,
        at=at,
        actor=actor,
        calendar_row=calendar_row_for(request.serving_department_id),
        name_zh=name_zh,
        name_en=name_en,
    )
    return timers_insert([planned])[0]


def timer_is_running(timer: SlaTimer) -> bool:
    return timer.superseded_at is None and timer.stopped_at is None and not timer.paused


def timer_event_add(
    timer: SlaTimer,
    kind: str,
    *,
    at: dt.datetime,
    actor: User | None,
    reason: str = "",
    stop_reason: str = "",
) -> SlaTimer:
    """Append one event and recompute. Events never go back in time: an ``at``
    before the timer's last event is moved up to it (backdated demo data,
    clock skew between web nodes)."""
    events = list(timer.events.order_by("at", "id"))
    if events and at < events[-1].at:
        at = events[-1].at
    event = SlaEvent.objects.create(
        organization_id=timer.organization_id,
        timer=timer,
        kind=kind,
        at=at,
        reason=reason[:500],
        actor=actor,
        calendar_version=timer.calendar_version,
        policy_version=timer.policy_version,
    )
    if kind == SlaEventKind.STOP:
        timer.stop_reason = stop_reason
        timer.save(update_fields=["stop_reason"])
    elif kind == SlaEventKind.RESUME:
        timer.stop_reason = ""
        timer.save(update_fields=["stop_reason"])
    return timer_recompute(timer, events=[*events, event])


def timers_stop(
    timers: Iterable[SlaTimer],
    *,
    at: dt.datetime,
    actor: User | None,
    stop_reason: str,
    reason: str = "",
    supersede: bool = False,
) -> None:
    for timer in timers:
        if timer.superseded_at is not None:
            continue
        if timer.stopped_at is None:
            timer_event_add(
                timer, SlaEventKind.STOP, at=at, actor=actor, reason=reason, stop_reason=stop_reason
            )
        if supersede:
            timer.superseded_at = at
            timer.next_check_at = None
            if not timer.stop_reason:
                timer.stop_reason = stop_reason
            timer.save(update_fields=["superseded_at", "next_check_at", "stop_reason"])


def request_refresh_sla(request: Request, timers: Sequence[SlaTimer] | None = None) -> None:
    """Rewrite the request's SLA summary (queue sort key and worst state).

    A queryset update, not ``save()``: the summary is a cache and must not
    add a history row every time a timer is recomputed.
    """
    if timers is None:
        timers = list(SlaTimer.objects.filter(request_id=request.pk, superseded_at__isnull=True))
    request.sla_due_at, request.sla_state = sla_summary(timers)
    type(request).objects.filter(pk=request.pk).update(
        sla_due_at=request.sla_due_at, sla_state=request.sla_state
    )


def sla_summary(timers: Iterable[SlaTimer]) -> tuple[dt.datetime | None, str]:
    """The request's queue sort key (earliest running due time) and worst state."""
    current = [t for t in timers if t.superseded_at is None]
    running_due = [t.due_at for t in current if timer_is_running(t) and t.due_at]
    due_at = min(running_due) if running_due else None
    state = min((t.state for t in current), key=lambda s: STATE_RANK[s], default="")
    return due_at, state


def sla_recompute_open(
    organization: Organization,
    *,
    calendar: BusinessCalendar | None = None,
    request_type: RequestType | None = None,
    actor: User | None = None,
    now: dt.datetime | None = None,
    batch_size: int = 500,
) -> int:
    """Recompute the open (running or paused) timers of an organization after
    a calendar or policy change; returns how many were recomputed.

    With ``calendar``: the timers on it, plus (for a department calendar) the
    timers of that department's requests, which move onto it. With
    ``request_type``: its timers take the type's current targets (policy
    version bumped). Each changed timer gets a ``recalculated`` event, so the
    log explains why its due time moved. Stopped timers keep their outcome.
    """
    now = now or timezone.now()
    count = 0
    with organization_scope(organization.id), transaction.atomic():
        timers = SlaTimer.objects.filter(superseded_at__isnull=True, stopped_at__isnull=True)
        if calendar is not None:
            from django.db.models import Q

            condition = Q(calendar_id=calendar.pk)
            if calendar.department_id:
                condition |= Q(request__serving_department_id=calendar.department_id)
            timers = timers.filter(condition)
        if request_type is not None:
            timers = timers.filter(request__request_type=request_type)
        timers = timers.select_related("request", "request__request_type", "calendar").order_by(
            "pk"
        )
        rows_by_department: dict[int, BusinessCalendar | None] = {}
        last_pk = 0
        while True:
            batch = list(timers.filter(pk__gt=last_pk)[:batch_size])
            if not batch:
                break
            last_pk = batch[-1].pk
            count += _recompute_batch(batch, rows_by_department, request_type, actor, now)
    return count


def _recompute_batch(
    batch: list[SlaTimer],
    rows_by_department: dict[int, BusinessCalendar | None],
    request_type: RequestType | None,
    actor: User | None,
    now: dt.datetime,
) -> int:
    events_by_timer: dict[int, list[SlaEvent]] = {}
    for event in SlaEvent.objects.filter(timer__in=batch).order_by("at", "id"):
        events_by_timer.setdefault(event.timer_id, []).append(event)
    new_events = []
    touched_requests: dict[int, Request] = {}
    for timer in batch:
        department_id = timer.request.serving_department_id
        if department_id not in rows_by_department:
            rows_by_department[department_id] = calendar_row_for(department_id)
        row = rows_by_department[department_id]
        if request_type is not None:
            policy = timer.request.request_type.targets_for(timer.request.priority)
            target = _target_for(policy, timer.key)
            if target is not None:
                timer.unit, timer.amount = target["unit"], Decimal(str(target["amount"]))
            timer.policy_version = timer.request.request_type.policy_version
            timer.save(update_fields=["unit", "amount", "policy_version"])
        timer_recompute(timer, now=now, events=events_by_timer.get(timer.pk, []), calendar_row=row)
        new_events.append(
            SlaEvent(
                organization_id=timer.organization_id,
                timer=timer,
                kind=SlaEventKind.RECALCULATED,
                at=now,
                reason="policy" if request_type is not None else "calendar",
                actor=actor,
                calendar_version=timer.calendar_version,
                policy_version=timer.policy_version,
            )
        )
        touched_requests[timer.request_id] = timer.request
    SlaEvent.objects.bulk_create(new_events)
    current = SlaTimer.objects.filter(request_id__in=touched_requests, superseded_at__isnull=True)
    by_request: dict[int, list[SlaTimer]] = {}
    for timer in current:
        by_request.setdefault(timer.request_id, []).append(timer)
    for request_id, request in touched_requests.items():
        request_refresh_sla(request, by_request.get(request_id, []))
    return len(batch)


def _target_for(policy: dict[str, Any], key: str) -> dict[str, Any] | None:
    if key in ("response", "resolution"):
        return policy.get(key)
    return next((m for m in policy.get("milestones") or [] if m.get("key") == key), None)
