"""Property tests: the SLA engine against the minute-walking reference.

Generated data is minute-aligned, inside 2025-12-01 .. 2027-01-31, with
budgets small enough for the reference to stay cheap.  Range bounds are
quarter-hours outside 01:00-03:00 so none falls in a DST gap or fold (where
the reference's wall-clock reading and the engine's fold=0 reading of a bound
may legitimately differ).  Starts are biased towards DST transitions and
the Chinese holiday breaks.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from requests_sla.sla.engine.calendar import (
    BusinessCalendar,
    around_the_clock_weekly,
    default_weekly,
)
from requests_sla.sla.engine.official import official_calendar_days
from requests_sla.sla.engine.timers import (
    EventKind,
    Target,
    TimerEvent,
    TimerState,
    Unit,
    compute_timer,
)
from requests_sla.sla.tests import sla_reference as ref

UTC = UTC
ZONES = ["Asia/Shanghai", "Europe/Berlin", "America/New_York"]
WINDOW_START = datetime(2025, 12, 1, tzinfo=UTC)
WINDOW_END = datetime(2027, 1, 31, tzinfo=UTC)
# Instants worth hitting often: DST transitions (UTC) and Chinese breaks.
SPECIAL = [
    datetime(2026, 3, 8, 7, tzinfo=UTC),  # New York spring forward
    datetime(2026, 11, 1, 6, tzinfo=UTC),  # New York fall back
    datetime(2026, 3, 29, 1, tzinfo=UTC),  # Berlin spring forward
    datetime(2026, 10, 25, 1, tzinfo=UTC),  # Berlin fall back
    datetime(2026, 2, 14, 0, tzinfo=UTC),  # Spring Festival break
    datetime(2026, 9, 30, 0, tzinfo=UTC),  # National Day break
    datetime(2025, 12, 31, 0, tzinfo=UTC),  # year boundary (provisional 2027 nearby too)
    datetime(2026, 12, 30, 0, tzinfo=UTC),
]
BOUNDS = [m for m in range(0, 24 * 60 + 1, 15) if not 60 <= m < 180]
CN_HOLIDAYS, CN_WORKDAYS, CN_PROVISIONAL = official_calendar_days("CN", [2025, 2026, 2027])
PROPERTY = settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _as_time(minutes: int) -> time | None:
    return None if minutes == 24 * 60 else time(minutes // 60, minutes % 60)


# Strategies are built once: constructing them inside composites is slow.
_KINDS = st.sampled_from(["standard", "24x7", "random", "random"])
_RANGE_COUNT = st.integers(0, 3)
_BOUND_SETS = {
    count: st.sets(st.sampled_from(BOUNDS), min_size=2 * count, max_size=2 * count)
    for count in range(4)
}
_ZONE = st.sampled_from(ZONES)
_DAYS = st.sampled_from(["none", "china", "random"])
_DATE_IN_WINDOW = st.dates(min_value=date(2025, 12, 1), max_value=date(2027, 1, 31))
_HOLIDAY_SETS = st.sets(_DATE_IN_WINDOW, max_size=15)
_WORKDAY_SETS = st.sets(_DATE_IN_WINDOW, max_size=6)
_MAKEUP_PICK = st.integers(-1, 6)


@st.composite
def weekly_patterns(draw) -> dict:
    kind = draw(_KINDS)
    if kind == "standard":
        return default_weekly()
    if kind == "24x7":
        return around_the_clock_weekly()
    weekly = {}
    for weekday in range(7):
        bounds = sorted(draw(_BOUND_SETS[draw(_RANGE_COUNT)]))
        if bounds:
            weekly[weekday] = tuple(
                (_as_time(bounds[i]), _as_time(bounds[i + 1])) for i in range(0, len(bounds), 2)
            )
    if not weekly:
        weekly[0] = ((time(9), time(17)),)
    return weekly


@st.composite
def calendars(draw) -> BusinessCalendar:
    weekly = draw(weekly_patterns())
    zone = draw(_ZONE)
    days = draw(_DAYS)
    holidays: frozenset[date] = frozenset()
    workdays: frozenset[date] = frozenset()
    if days == "china":
        holidays, workdays = CN_HOLIDAYS, CN_WORKDAYS
    elif days == "random":
        holidays = frozenset(draw(_HOLIDAY_SETS))
        workdays = frozenset(d for d in draw(_WORKDAY_SETS) if d.weekday() >= 5)
    # Make-up days use the ranges of: the default (-1 -> None) or a working weekday.
    pick = draw(_MAKEUP_PICK)
    makeup = pick if pick in weekly else None
    return BusinessCalendar(zone, weekly, holidays, workdays, CN_PROVISIONAL, makeup_weekday=makeup)


def weekly_minutes(cal: BusinessCalendar) -> int:
    total = 0
    for ranges in cal.weekly.values():
        for start, end in ranges:
            end_minutes = 24 * 60 if end is None else end.hour * 60 + end.minute
            total += end_minutes - (start.hour * 60 + start.minute)
    return total


_SPECIAL = st.sampled_from(SPECIAL)
_NEAR = st.integers(-3 * 1440, 3 * 1440)
# Leave room after the start for the walks to stay inside the window.
_ANYWHERE = st.integers(
    0, int((WINDOW_END - WINDOW_START - timedelta(days=40)) / timedelta(minutes=1))
)


@st.composite
def instants(draw) -> datetime:
    """Minute-aligned instants in the window, often near a special instant."""
    if draw(st.booleans()):
        return draw(_SPECIAL) + timedelta(minutes=draw(_NEAR))
    return WINDOW_START + timedelta(minutes=draw(_ANYWHERE))


def _start_tz(draw, cal: BusinessCalendar, at: datetime) -> datetime:
    """Present an instant in UTC or in the calendar's own zone (same instant).

    Catches wall-clock comparison bugs: Python compares/subtracts datetimes
    that share a tzinfo by wall clock.
    """
    return at.astimezone(cal.tz) if draw(st.booleans()) else at


# ------------------------------------------------------------------ calendar
@PROPERTY
@given(st.data())
def test_working_minutes_between_matches_reference(data) -> None:
    cal = data.draw(calendars())
    start = _start_tz(data.draw, cal, data.draw(instants()))
    # Real-time arithmetic (in UTC): wall-clock "+" on a local datetime is not.
    end = start.astimezone(UTC) + timedelta(minutes=data.draw(st.integers(0, 4 * 1440)))
    end = _start_tz(data.draw, cal, end)
    expected = ref.working_minutes_between(ref.RefCalendar(cal), start, end)
    assert cal.working_minutes_between(start, end) == expected


@PROPERTY
@given(st.data())
def test_add_working_minutes_matches_reference(data) -> None:
    cal = data.draw(calendars())
    start = _start_tz(data.draw, cal, data.draw(instants()))
    minutes = data.draw(st.integers(0, min(40 * 60, weekly_minutes(cal))))
    expected = ref.add_working_minutes(ref.RefCalendar(cal), start, minutes)
    got = cal.add_working_minutes(start, minutes)
    assert got == expected
    assert got.utcoffset() is not None


@PROPERTY
@given(st.data())
def test_close_of_nth_working_day_matches_reference(data) -> None:
    cal = data.draw(calendars())
    start = data.draw(instants())
    n = data.draw(st.integers(1, 5))
    assert cal.close_of_nth_working_day_after(start, n) == ref.close_of_nth_working_day_after(
        ref.RefCalendar(cal), start, n
    )


@PROPERTY
@given(st.data())
def test_add_and_between_round_trip(data) -> None:
    cal = data.draw(calendars())
    start = data.draw(instants())
    end = start + timedelta(minutes=data.draw(st.integers(0, 60 * 1440)))
    between = cal.working_time_between(start, end)
    reached = cal.add_working_time(start, between)
    # add returns the *earliest* instant with that much work done: never after
    # `end`, and no working time lies between it and `end`.
    assert reached <= end
    assert cal.working_time_between(start, reached) == between
    assert cal.working_time_between(reached, end) == timedelta(0)
    if between:
        assert cal.working_time_between(start, reached - timedelta(minutes=1)) < between
    minutes = data.draw(st.integers(0, 20_000))
    target = cal.add_working_minutes(start, minutes)
    assert cal.working_minutes_between(start, target) == minutes
    # next_working_minute: nothing is working before it, and it is working.
    nxt = cal.next_working_minute(start)
    assert cal.working_time_between(start, nxt) == timedelta(0)
    assert cal.working_time_between(nxt, nxt + timedelta(seconds=1)) == timedelta(seconds=1)


# ------------------------------------------------------------------ timers
_EVENT_COUNT = st.integers(0, 6)
_EVENT_GAP = st.integers(0, 1440)
_NOW_GAP = st.integers(0, 2 * 1440)
_NEXT_EVENT = {
    "running": st.sampled_from(["pause", "stop"]),
    "paused": st.sampled_from(["resume", "stop"]),
    "stopped": st.just("resume"),
}
_RATIO = st.sampled_from([0.5, 0.75, 0.8, 0.9, 1.0])


@st.composite
def event_logs(
    draw, start: datetime, cal: BusinessCalendar
) -> tuple[list[tuple[str, datetime]], datetime]:
    """A valid log from `start` (pauses, resumes, stop, reopen) and a `now` at/after it.

    Instants are presented in UTC or in the calendar's zone at random.
    """
    events = [("start", start)]
    state = "running"
    at = start.astimezone(UTC)  # real-time arithmetic
    for _ in range(draw(_EVENT_COUNT)):
        kind = draw(_NEXT_EVENT[state])
        at = at + timedelta(minutes=draw(_EVENT_GAP))
        events.append((kind, _start_tz(draw, cal, at)))
        state = {"pause": "paused", "resume": "running", "stop": "stopped"}[kind]
    now = at + timedelta(minutes=draw(_NOW_GAP))
    return events, _start_tz(draw, cal, now)


def _amount(draw, unit: Unit, cal: BusinessCalendar):
    if unit == Unit.WORKING_DAYS:
        return draw(st.integers(1, 5))
    cap = 72 * 60 if unit == Unit.CALENDAR_HOURS else min(40 * 60, weekly_minutes(cal))
    minutes = draw(st.integers(1, cap))
    # Give some hour amounts as whole hours or halves, like real targets.
    return draw(st.sampled_from([minutes / 60, max(1, minutes // 30) / 2]))


@pytest.mark.parametrize("unit", list(Unit))
@PROPERTY
@given(data=st.data())
def test_compute_timer_matches_reference(unit: Unit, data) -> None:
    cal = data.draw(calendars())
    start = _start_tz(data.draw, cal, data.draw(instants()))
    amount = _amount(data.draw, unit, cal)
    log, now = data.draw(event_logs(start, cal))
    ratio = data.draw(_RATIO)

    result = compute_timer(
        cal, Target(unit, amount), [TimerEvent(EventKind(k), at) for k, at in log], now, ratio
    )
    expected = ref.timer(ref.RefCalendar(cal), unit.value, amount, log, now, ratio)

    assert result.budget_minutes == expected["budget"]
    assert result.elapsed_minutes == expected["elapsed"]
    assert result.remaining_minutes == expected["remaining"]
    assert result.due_at == expected["due_at"]
    assert result.at_risk_at == expected["at_risk_at"]
    assert result.state == TimerState(expected["state"])
    assert result.met == expected["met"]
    if unit == Unit.WORKING_DAYS and len(log) == 1:
        # No pauses: the deadline is the close of the N-th working day.
        assert result.due_at == cal.close_of_nth_working_day_after(start, amount)


def test_offsets_constant_within_utc_hours() -> None:
    """The reference's one shortcut: UTC offsets change only on whole UTC hours."""
    hour = timedelta(hours=1)
    for zone in ZONES:
        cal = BusinessCalendar(zone, default_weekly())
        at = WINDOW_START - timedelta(days=30)
        while at < WINDOW_END + timedelta(days=60):
            last_minute = at + timedelta(minutes=59)
            assert last_minute.astimezone(cal.tz).utcoffset() == at.astimezone(cal.tz).utcoffset()
            at += hour
