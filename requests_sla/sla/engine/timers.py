"""SLA timer computation from an event log (pure Python: no Django).

``compute_timer`` is a pure function of (calendar, target, events, now).

Decisions (where the spec left a choice)
----------------------------------------
* Budget is fixed at START.  Hours are rounded half-up to whole minutes and
  must come to at least one minute.  ``working_days`` budgets are the working
  time between the start and the close of the N-th working day after the
  start's local date, so without pauses the due time *is* that close.
* Elapsed time is the measure of the active intervals in the timer's unit
  (real time for ``calendar_hours``, working time otherwise).  Pauses extend
  the due time by exactly what passed while paused, counted in that unit.
* Event log: first event START (and only one START); PAUSE only while
  running; RESUME while paused, or after STOP (a reopen: same budget, counting
  continues); STOP while running or paused; non-decreasing times.  Anything
  else raises ValueError.  Events later than ``now`` are validated but
  ignored, so a log can be evaluated "as of" any past instant; a START after
  ``now`` is a ValueError.
* Breach boundary: the due time people are shown is binding.  BREACHED iff
  elapsed > budget, or the budget is used up and the timer was still
  counting-down after ``due_at`` (now, or the instant it was stopped/paused,
  is later than ``due_at``).  For working units the second clause matters:
  a reply at 19:00 to a request due at the 18:00 close consumed no working
  time after the close, yet it is late (民法典 art. 203: a deadline ends when
  business stops).  A stopped timer is MET iff it is not breached.  A breach
  is never undone by pausing.
* ``due_at``:
    - running: the instant elapsed reaches the budget if the timer keeps
      running (possibly in the past when breached);
    - paused: None, unless the budget was already used up before the pause,
      then the instant it was used up;
    - stopped (from running): the deadline that was in force at the stop;
      stopped while paused: as for paused.
  It is always the *earliest* such instant (18:00 close, not 09:00 next day).
* ``at_risk_at``: the instant elapsed reaches ``at_risk_ratio * budget``
  (exact timedelta arithmetic), only while running; None when paused/stopped.
* Minute fields are floors of exact durations: ``remaining_minutes < 0`` iff
  breached and ``margin_minutes >= 0`` iff met.  With minute-aligned instants
  they are exact and remaining == budget - elapsed.  The exact durations are
  exposed as ``elapsed``/``budget``/``remaining``.
* ``provisional``: the calendar's provisional years touch [start, latest of
  now / due_at / stop / (working days) the N-th day's close].
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from requests_sla.sla.engine.calendar import BusinessCalendar, whole_minutes


class Unit(StrEnum):
    CALENDAR_HOURS = "calendar_hours"
    WORKING_HOURS = "working_hours"
    WORKING_DAYS = "working_days"


class EventKind(StrEnum):
    START = "start"
    PAUSE = "pause"
    RESUME = "resume"
    STOP = "stop"


class TimerState(StrEnum):
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    BREACHED = "breached"
    PAUSED = "paused"
    MET = "met"


@dataclass(frozen=True)
class Target:
    unit: Unit
    amount: Decimal | int | float


@dataclass(frozen=True)
class TimerEvent:
    kind: EventKind
    at: datetime
    reason: str = ""


@dataclass(frozen=True)
class TimerResult:
    due_at: datetime | None
    elapsed_minutes: int
    budget_minutes: int
    remaining_minutes: int
    state: TimerState
    paused: bool
    stopped_at: datetime | None
    met: bool | None
    margin_minutes: int | None
    at_risk_at: datetime | None
    provisional: bool
    elapsed: timedelta
    budget: timedelta
    remaining: timedelta


# An active interval: (start, end); end None while it is still running.
Segment = tuple[datetime, "datetime | None"]


@dataclass(frozen=True)
class _Log:
    start: datetime
    segments: tuple[Segment, ...]
    paused: bool
    stopped_at: datetime | None
    # True when the last segment was closed by a STOP while running: its
    # deadline stays "in force" for reporting.
    stopped_running: bool


_TRANSITIONS: dict[str | None, dict[EventKind, str]] = {
    None: {EventKind.START: "running"},
    "running": {EventKind.PAUSE: "paused", EventKind.STOP: "stopped"},
    "paused": {EventKind.RESUME: "running", EventKind.STOP: "stopped"},
    "stopped": {EventKind.RESUME: "running"},  # RESUME after STOP = reopen
}


def _validate(events: Sequence[TimerEvent]) -> None:
    """Reject logs that break the state machine or go back in time."""
    if not events:
        raise ValueError("event log is empty")
    state: str | None = None
    previous: datetime | None = None
    for event in events:
        kind = EventKind(event.kind)
        if event.at.tzinfo is None or event.at.utcoffset() is None:
            raise ValueError("event times must be timezone-aware")
        if previous is not None and event.at.astimezone(UTC) < previous:
            raise ValueError(f"events out of order: {kind} at {event.at} before {previous}")
        if kind not in _TRANSITIONS[state]:
            raise ValueError(f"{kind} at {event.at} is not allowed while {state or 'not started'}")
        state, previous = _TRANSITIONS[state][kind], event.at.astimezone(UTC)


def _parse_events(events: Sequence[TimerEvent], now: datetime) -> _Log:
    """Validate the whole log, then replay the events up to ``now``."""
    _validate(events)
    # From here on everything is UTC: datetimes sharing one tzinfo compare and
    # subtract by wall clock in Python, which is wrong across DST.
    events = [TimerEvent(e.kind, e.at.astimezone(UTC), e.reason) for e in events]
    if events[0].at > now:
        raise ValueError("the timer starts after now")
    segments: list[tuple[datetime, datetime | None]] = []
    state = None
    stopped_at: datetime | None = None
    stopped_running = False
    for event in events:
        if event.at > now:
            break  # "as of now": later events have not happened yet
        new_state = _TRANSITIONS[state][EventKind(event.kind)]
        if state == "running":  # PAUSE or STOP closes the active segment
            segments[-1] = (segments[-1][0], event.at)
        if new_state == "running":
            segments.append((event.at, None))
            stopped_at, stopped_running = None, False
        elif new_state == "stopped":
            stopped_at, stopped_running = event.at, state == "running"
        state = new_state
    return _Log(
        start=events[0].at,
        segments=tuple(segments),
        paused=state == "paused",
        stopped_at=stopped_at,
        stopped_running=stopped_running,
    )


def target_budget(
    calendar: BusinessCalendar, target: Target, start: datetime
) -> tuple[timedelta, datetime | None]:
    """(budget, close of the N-th working day for WORKING_DAYS else None).

    Public for the escalation sweep, which advances a timer whose cache is
    current from the cache alone, with the same budget and clock."""
    unit = Unit(target.unit)
    amount = target.amount
    if isinstance(amount, bool) or not isinstance(amount, (int, float, Decimal)):
        raise ValueError(f"amount must be a number, got {amount!r}")
    value = Decimal(str(amount)) if isinstance(amount, float) else Decimal(amount)
    if not value.is_finite() or value <= 0:
        raise ValueError(f"amount must be positive, got {amount!r}")
    if unit == Unit.WORKING_DAYS:
        if value != value.to_integral_value():
            raise ValueError(f"working days must be a whole number, got {amount!r}")
        close = calendar.close_of_nth_working_day_after(start, int(value))
        return calendar.working_time_between(start, close), close
    minutes = int((value * 60).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    if minutes < 1:
        raise ValueError(f"{amount} hours is less than one minute")
    return timedelta(minutes=minutes), None


class UnitClock:
    """Measures and advances time in one unit (wall-clock hours, or working
    time of the calendar)."""

    def __init__(self, calendar: BusinessCalendar, unit: Unit) -> None:
        self.calendar = calendar
        self.wall = unit == Unit.CALENDAR_HOURS

    def measure(self, start: datetime, end: datetime) -> timedelta:
        if self.wall:
            return end - start  # both UTC (see _parse_events): real elapsed time
        return self.calendar.working_time_between(start, end)

    def advance(self, start: datetime, amount: timedelta) -> datetime:
        if self.wall:
            return start.astimezone(UTC) + amount  # real minutes, DST-proof
        return self.calendar.add_working_time(start, amount)


def _reach(
    clock: UnitClock, segments: Sequence[Segment], open_ended: bool, amount: timedelta
) -> datetime | None:
    """Instant at which the active segments accumulate ``amount``.

    If ``open_ended`` the last segment is treated as running forever;
    otherwise return None when the closed segments never reach ``amount``.
    """
    remaining = amount
    for index, (start, end) in enumerate(segments):
        last = index == len(segments) - 1
        if last and open_ended:
            return clock.advance(start, remaining)
        assert end is not None
        length = clock.measure(start, end)
        if remaining <= length:
            return clock.advance(start, remaining)
        remaining -= length
    return None


def compute_timer(
    calendar: BusinessCalendar,
    target: Target,
    events: Sequence[TimerEvent],
    now: datetime,
    at_risk_ratio: float = 0.75,
) -> TimerResult:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    now = now.astimezone(UTC)
    if not 0 <= at_risk_ratio <= 1:
        raise ValueError("at_risk_ratio must be within [0, 1]")
    log = _parse_events(events, now)
    budget, close = target_budget(calendar, target, log.start)
    clock = UnitClock(calendar, Unit(target.unit))

    elapsed = sum(
        (clock.measure(s, e if e is not None else now) for s, e in log.segments), timedelta(0)
    )
    remaining = budget - elapsed
    running = log.stopped_at is None and not log.paused
    due_at = _reach(clock, log.segments, open_ended=running or log.stopped_running, amount=budget)
    last_end = log.segments[-1][1] if log.segments else None
    moment = now if running else (last_end or now)
    breached = elapsed > budget or (elapsed >= budget and due_at is not None and moment > due_at)

    at_risk_threshold = budget * at_risk_ratio
    at_risk_at = _reach(clock, log.segments, True, at_risk_threshold) if running else None

    if log.stopped_at is not None:
        state = TimerState.BREACHED if breached else TimerState.MET
        met: bool | None = not breached
        margin: int | None = whole_minutes(remaining)
    else:
        met, margin = None, None
        if breached:
            state = TimerState.BREACHED
        elif log.paused:
            state = TimerState.PAUSED
        elif elapsed >= at_risk_threshold:
            state = TimerState.AT_RISK
        else:
            state = TimerState.ON_TRACK

    horizon = max(t for t in (now, due_at, log.stopped_at, close) if t is not None)
    return TimerResult(
        due_at=due_at,
        elapsed_minutes=whole_minutes(elapsed),
        budget_minutes=whole_minutes(budget),
        remaining_minutes=whole_minutes(remaining),
        state=state,
        paused=log.paused,
        stopped_at=log.stopped_at,
        met=met,
        margin_minutes=margin,
        at_risk_at=at_risk_at,
        provisional=calendar.is_provisional(log.start, horizon),
        elapsed=elapsed,
        budget=budget,
        remaining=remaining,
    )


__all__ = [
    "EventKind",
    "Target",
    "TimerEvent",
    "TimerResult",
    "TimerState",
    "Unit",
    "compute_timer",
]
