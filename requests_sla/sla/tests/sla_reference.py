"""Brute-force reference for the SLA engine: walks real time minute by minute.

It only reads a calendar's *data* (timezone, weekly ranges, holidays,
workdays, makeup_weekday) and never calls its methods.  Time is an integer
count of UTC minutes since the Unix epoch.  A minute is working iff its local
wall-clock time lies inside a working range of its local date and that date is
a working day.  This "convert each real minute to the wall clock" definition
agrees with the engine's "convert range bounds to instants" definition as long
as no range bound falls inside a DST gap or fold, which the property tests
guarantee by construction.

Speed trick (the only one): the UTC offset is looked up once per UTC hour.
That is exact for the zones used here, whose transitions happen on whole
UTC hours; ``test_offsets_constant_within_utc_hours`` checks it.
"""

from __future__ import annotations

import functools
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

UTC = UTC
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
MINUTES_PER_DAY = 24 * 60
# A walk longer than this means the test generated something it should not.
MAX_WALK_MINUTES = 200 * MINUTES_PER_DAY


def to_minute(at: datetime) -> int:
    """Minute index of a minute-aligned aware datetime."""
    seconds = (at - EPOCH).total_seconds()
    assert seconds % 60 == 0, f"reference needs minute-aligned instants, got {at}"
    return int(seconds // 60)


def from_minute(m: int) -> datetime:
    return EPOCH + timedelta(minutes=m)


@functools.cache
def utc_offset_minutes(tz_name: str, utc_hour: int) -> int:
    instant = EPOCH + timedelta(hours=utc_hour)
    return int(instant.astimezone(ZoneInfo(tz_name)).utcoffset().total_seconds() // 60)


def _wall_minutes(value: time | None) -> int:
    if value is None or value == time.max:
        return MINUTES_PER_DAY
    return value.hour * 60 + value.minute


class RefCalendar:
    """The reference's own reading of a BusinessCalendar's data."""

    def __init__(self, calendar) -> None:
        self.tz = calendar.timezone
        self.holidays = set(calendar.holidays)
        self.workdays = set(calendar.workdays)
        self.ranges = {
            wd: [(_wall_minutes(s), _wall_minutes(e)) for s, e in calendar.weekly.get(wd, ())]
            for wd in range(7)
        }
        makeup = calendar.makeup_weekday
        if makeup is None:
            makeup = min(wd for wd in range(7) if self.ranges[wd])
        self.makeup_ranges = self.ranges[makeup]
        # Pure memoisation (per instance): ranges per local day number.
        self._day_ranges: dict[int, list[tuple[int, int]]] = {}

    def ranges_of(self, d: date) -> list[tuple[int, int]]:
        """Spec: make-up workday -> makeup ranges; holiday -> none; else the weekday's."""
        if d in self.workdays:
            return self.makeup_ranges
        if d in self.holidays:
            return []
        return self.ranges[d.weekday()]

    def local(self, m: int) -> tuple[date, int]:
        """(local date, local wall minute of day) of UTC minute ``m``."""
        local = m + utc_offset_minutes(self.tz, m // 60)
        return date.fromordinal(EPOCH_ORDINAL + local // MINUTES_PER_DAY), local % MINUTES_PER_DAY

    def is_working(self, m: int) -> bool:
        """Is UTC minute m inside a working range of its local date?"""
        day, wall = divmod(m + utc_offset_minutes(self.tz, m // 60), MINUTES_PER_DAY)
        ranges = self._day_ranges.get(day)
        if ranges is None:
            ranges = self._day_ranges[day] = self.ranges_of(date.fromordinal(EPOCH_ORDINAL + day))
        for start, end in ranges:  # noqa: SIM110  (a plain loop is faster here)
            if start <= wall < end:
                return True
        return False

    def is_working_day(self, d: date) -> bool:
        return bool(self.ranges_of(d))


# ---------------------------------------------------------------- calendar
def working_minutes_between(cal: RefCalendar, start: datetime, end: datetime) -> int:
    return sum(1 for m in range(to_minute(start), to_minute(end)) if cal.is_working(m))


def add_working_minutes(cal: RefCalendar, start: datetime, minutes: int) -> datetime:
    """End of the minute in which the count of working minutes reaches ``minutes``."""
    if minutes == 0:
        return start
    count = 0
    first = to_minute(start)
    for m in range(first, first + MAX_WALK_MINUTES):
        if cal.is_working(m):
            count += 1
            if count == minutes:
                return from_minute(m + 1)
    raise AssertionError("reference walk too long")


def close_of_nth_working_day_after(cal: RefCalendar, start: datetime, n: int) -> datetime:
    """End of the last working minute of the n-th working local date after start's."""
    day, _ = cal.local(to_minute(start))
    while n:
        day += timedelta(days=1)
        n -= cal.is_working_day(day)
    # Scan every UTC minute that could belong to local date `day`.
    # Scan backwards from well past that date (UTC offsets are within +-14 h)
    # for the last working minute whose local date is `day`.
    day_base = (day.toordinal() - EPOCH_ORDINAL) * MINUTES_PER_DAY
    last = next(
        m
        for m in range(day_base + 2 * MINUTES_PER_DAY, day_base - MINUTES_PER_DAY, -1)
        if cal.is_working(m) and cal.local(m)[0] == day
    )
    return from_minute(last + 1)


# ---------------------------------------------------------------- timers
def budget_minutes(cal: RefCalendar, unit: str, amount, start: datetime) -> int:
    if unit == "working_days":
        return working_minutes_between(
            cal, start, close_of_nth_working_day_after(cal, start, int(amount))
        )
    return round(amount * 60)  # tests only use amounts whose half-up/even rounding agree


def timer(
    cal: RefCalendar,
    unit: str,
    amount,
    events: list[tuple[str, datetime]],
    now: datetime,
    ratio: float = 0.75,
) -> dict:
    """Replay a valid event log ((kind, at) pairs, all at <= now) minute by minute."""
    budget = budget_minutes(cal, unit, amount, events[0][1])
    # Active segments [a, b); b is None while running.
    segments: list[list] = []
    state = None
    stopped_running = False
    for kind, at in events:
        if kind in ("pause", "stop") and state == "running":
            segments[-1][1] = at
        if kind in ("start", "resume"):
            segments.append([at, None])
        stopped_running = kind == "stop" and state == "running"
        state = {"start": "running", "resume": "running", "pause": "paused", "stop": "stopped"}[
            kind
        ]

    def counts(m: int) -> bool:
        return unit == "calendar_hours" or cal.is_working(m)

    now_m = to_minute(now)
    elapsed = sum(
        1
        for a, b in segments
        for m in range(to_minute(a), to_minute(b) if b is not None else now_m)
        if counts(m)
    )

    # Projection: the last segment runs forever if running (or stopped while running).
    open_ended = state == "running" or stopped_running

    def projected_minutes():
        for i, (a, b) in enumerate(segments):
            last = i == len(segments) - 1
            stop = to_minute(a) + MAX_WALK_MINUTES if (last and open_ended) else to_minute(b)
            yield from (m for m in range(to_minute(a), stop) if counts(m))

    def reach(amount_td: timedelta) -> datetime | None:
        """First instant where the projected count reaches amount (fractional minutes allowed)."""
        target = amount_td / timedelta(minutes=1)
        if target == 0:
            return segments[0][0]
        count = 0
        for m in projected_minutes():
            if count + 1 >= target:
                return from_minute(m) + timedelta(minutes=1) * (target - count)
            count += 1  # noqa: SIM113
        return None

    budget_td = timedelta(minutes=budget)
    due = reach(budget_td)
    threshold = budget_td * ratio
    at_risk_at = reach(threshold) if state == "running" else None
    # The shown due time is binding: used-up budget + still counting after it.
    moment = now if state == "running" else (segments[-1][1] or now)
    breached = elapsed > budget or (elapsed >= budget and due is not None and moment > due)
    if state == "stopped":
        result_state = "breached" if breached else "met"
    elif breached:
        result_state = "breached"
    elif state == "paused":
        result_state = "paused"
    elif timedelta(minutes=elapsed) >= threshold:
        result_state = "at_risk"
    else:
        result_state = "on_track"
    return {
        "budget": budget,
        "elapsed": elapsed,
        "remaining": budget - elapsed,
        "due_at": due,
        "at_risk_at": at_risk_at,
        "state": result_state,
        "met": None if state != "stopped" else not breached,
    }
