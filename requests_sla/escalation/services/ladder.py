"""The ladder's rules as pure functions: which rungs a recomputed timer is owed now, and when level 3 falls due."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from requests_sla.sla.engine.calendar import BusinessCalendar as EngineCalendar
from requests_sla.sla.models import (
    SlaEvent,
    SlaEventKind,
    SlaState,
    SlaTimer,
)
from requests_sla.sla.services import (
    timer_is_running,
)


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


def follow_up_at(
    calendar: EngineCalendar, events: Iterable[SlaEvent], due_at: dt.datetime | None, hours: int
) -> dt.datetime | None:
    """The instant the timer has *run* ``hours`` working hours past ``due_at``
    (paused or stopped stretches do not count); None while it is not running
    and has not got there."""
    if due_at is None:
        return None
    segments: list[tuple[dt.datetime, dt.datetime | None]] = []
    for event in events:
        if event.kind in (SlaEventKind.START, SlaEventKind.RESUME):
            segments.append((event.at, None))
        elif (
            event.kind in (SlaEventKind.PAUSE, SlaEventKind.STOP)
            and segments
            and segments[-1][1] is None
        ):
            segments[-1] = (segments[-1][0], event.at)
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
