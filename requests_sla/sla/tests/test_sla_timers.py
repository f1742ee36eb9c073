"""Fixed cases for compute_timer.  Expected values are hand-computed in comments.

Default calendar: China official 2025-2027, Asia/Shanghai, Mon-Fri
09:00-12:00 + 13:00-18:00.  2026-03-09 is an ordinary Monday.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from requests_sla.sla.engine.calendar import BusinessCalendar, default_weekly
from requests_sla.sla.engine.official import china_calendar
from requests_sla.sla.engine.timers import (
    EventKind,
    Target,
    TimerEvent,
    TimerState,
    Unit,
    compute_timer,
)

UTC = UTC
SHANGHAI = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
CN = china_calendar([2025, 2026, 2027])
START, PAUSE, RESUME, STOP = EventKind.START, EventKind.PAUSE, EventKind.RESUME, EventKind.STOP


def sh(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


def log(*pairs: tuple[EventKind, datetime]) -> list[TimerEvent]:
    return [TimerEvent(kind, at) for kind, at in pairs]


def working_hours(amount) -> Target:
    return Target(Unit.WORKING_HOURS, amount)


# ------------------------------------------------------------------ due dates
def test_three_working_days_over_spring_festival() -> None:
    # Filed Fri Feb 13 10:00: day 1 = make-up Sat Feb 14, Feb 15-23 off,
    # day 2 = Tue Feb 24, day 3 = Wed Feb 25 -> due Feb 25 18:00.
    # Budget = 7 h (Fri) + 8 h * 3 = 31 h = 1860 min.
    result = compute_timer(
        CN, Target(Unit.WORKING_DAYS, 3), log((START, sh(2026, 2, 13, 10))), now=sh(2026, 2, 13, 11)
    )
    assert result.due_at == sh(2026, 2, 25, 18)
    assert (result.budget_minutes, result.elapsed_minutes, result.remaining_minutes) == (
        1860,
        60,
        1800,
    )
    assert result.state == TimerState.ON_TRACK
    # At risk after 0.75 * 1860 = 1395 min: Fri 420, Sat 480 (900), Tue 480 (1380),
    # then 15 min on Wed -> Feb 25 09:15.
    assert result.at_risk_at == sh(2026, 2, 25, 9, 15)
    assert result.provisional is False


@pytest.mark.parametrize(
    ("n", "expected"),
    [(1, sh(2026, 3, 10, 18)), (3, sh(2026, 3, 12, 18))],  # Mon filing day never counts
)
def test_working_days_from_a_monday(n: int, expected: datetime) -> None:
    result = compute_timer(
        CN, Target(Unit.WORKING_DAYS, n), log((START, sh(2026, 3, 9, 10))), now=sh(2026, 3, 9, 10)
    )
    assert result.due_at == expected
    # Not N x 8 h: Mon 10:00 -> Tue 18:00 is 7 h + 8 h = 900 working minutes.
    if n == 1:
        assert result.budget_minutes == 900


def test_working_days_filed_on_saturday_evening() -> None:
    # Sat Mar 14 20:00: day 1 = Mon Mar 16 -> close 18:00.  Budget = 480 min.
    result = compute_timer(
        CN, Target(Unit.WORKING_DAYS, 1), log((START, sh(2026, 3, 14, 20))), now=sh(2026, 3, 15, 12)
    )
    assert result.due_at == sh(2026, 3, 16, 18)
    assert result.budget_minutes == 480
    assert result.elapsed_minutes == 0


def test_eight_working_hours_filed_during_national_day() -> None:
    # Sat Oct 3 15:00 is in the Oct 1-7 break; Thu Oct 8 09:00 + 8 h -> Oct 8 18:00.
    result = compute_timer(
        CN, working_hours(8), log((START, sh(2026, 10, 3, 15))), now=sh(2026, 10, 5, 12)
    )
    assert result.due_at == sh(2026, 10, 8, 18)
    assert result.elapsed_minutes == 0
    assert result.state == TimerState.ON_TRACK


def test_two_working_hours_filed_after_hours() -> None:
    # Tue Mar 10 20:00 -> Wed 09:00 + 2 h = 11:00.
    result = compute_timer(
        CN, working_hours(2), log((START, sh(2026, 3, 10, 20))), now=sh(2026, 3, 10, 21)
    )
    assert result.due_at == sh(2026, 3, 11, 11)


def test_filed_on_a_make_up_workday() -> None:
    # Make-up Sat Feb 14 10:00 + 4 h: 10-12 (2 h) + 13-15 (2 h) -> 15:00.
    result = compute_timer(
        CN, working_hours(4), log((START, sh(2026, 2, 14, 10))), now=sh(2026, 2, 14, 14)
    )
    assert result.due_at == sh(2026, 2, 14, 15)
    # Elapsed at 14:00: 2 h + 1 h = 180 min >= 0.75 * 240 -> at risk.
    assert result.elapsed_minutes == 180
    assert result.state == TimerState.AT_RISK


def test_half_hour_amounts() -> None:
    # 0.5 h = 30 working minutes: Mon 11:45 -> 12:00 (15) + 13:00-13:15 (15).
    result = compute_timer(
        CN,
        working_hours(Decimal("0.5")),
        log((START, sh(2026, 3, 9, 11, 45))),
        now=sh(2026, 3, 9, 11, 50),
    )
    assert result.budget_minutes == 30
    assert result.due_at == sh(2026, 3, 9, 13, 15)
    assert compute_timer(
        CN, working_hours(1.25), log((START, sh(2026, 3, 9, 9))), now=sh(2026, 3, 9, 9)
    ).due_at == sh(2026, 3, 9, 10, 15)


def test_24_calendar_hours_across_a_weekend() -> None:
    # Fri Mar 13 15:00 + 24 real hours -> Sat Mar 14 15:00; the weekend is irrelevant.
    events = log((START, sh(2026, 3, 13, 15)))
    result = compute_timer(CN, Target(Unit.CALENDAR_HOURS, 24), events, now=sh(2026, 3, 14, 16))
    assert result.due_at == sh(2026, 3, 14, 15)
    # At Sat 16:00, 25 h have passed: 60 min late.
    assert (result.elapsed_minutes, result.remaining_minutes) == (1500, -60)
    assert result.state == TimerState.BREACHED


# ------------------------------------------------------------------ pauses
def test_pause_spanning_lunch_extends_by_working_time_only() -> None:
    # 4 working hours from Mon 09:00: no pause -> 09-12 (3 h) + 13-14 -> 14:00.
    # Paused 11:30-13:30: the pause swallows 30 + 30 = 60 working minutes, so the
    # due time moves by 1 h (not 2 h) to 15:00.  Active: 09:00-11:30 = 150 min;
    # 90 min left from 13:30 -> 15:00.
    events = log(
        (START, sh(2026, 3, 9, 9)),
        (PAUSE, sh(2026, 3, 9, 11, 30)),
        (RESUME, sh(2026, 3, 9, 13, 30)),
    )
    on_track = compute_timer(CN, working_hours(4), events, now=sh(2026, 3, 9, 13, 59))
    assert on_track.due_at == sh(2026, 3, 9, 15)
    assert on_track.elapsed_minutes == 150 + 29
    assert on_track.state == TimerState.ON_TRACK
    # At-risk threshold 0.75 * 240 = 180 min is reached at 13:30 + 30 = 14:00.
    assert on_track.at_risk_at == sh(2026, 3, 9, 14)
    at_risk = compute_timer(CN, working_hours(4), events, now=sh(2026, 3, 9, 14))
    assert at_risk.state == TimerState.AT_RISK

    # While paused (now 12:30): due unknown, remaining = 240 - 150 = 90.
    paused = compute_timer(CN, working_hours(4), events[:2], now=sh(2026, 3, 9, 12, 30))
    assert paused.state == TimerState.PAUSED and paused.paused
    assert paused.due_at is None and paused.at_risk_at is None
    assert paused.remaining_minutes == 90

    # Same pause on a calendar-hours timer: 09:00-11:30 = 150 min, 90 min left
    # from 13:30 -> 15:00 (the pause moves the due time by its full 2 h).
    wall = compute_timer(CN, Target(Unit.CALENDAR_HOURS, 4), events, now=sh(2026, 3, 9, 14))
    assert wall.due_at == sh(2026, 3, 9, 15)
    assert wall.elapsed_minutes == 150 + 30


def test_pause_does_not_undo_a_breach() -> None:
    # 1 working hour from Mon 09:00 -> due 10:00; paused at 10:30 (90 min used).
    events = log((START, sh(2026, 3, 9, 9)), (PAUSE, sh(2026, 3, 9, 10, 30)))
    result = compute_timer(CN, working_hours(1), events, now=sh(2026, 3, 9, 11))
    assert result.state == TimerState.BREACHED
    assert result.paused is True
    assert result.due_at == sh(2026, 3, 9, 10)  # the instant the budget ran out
    assert result.remaining_minutes == -30


def test_the_shown_due_time_is_binding_even_after_close() -> None:
    # 2 working hours from Mon 16:00 -> due Mon 18:00 (close).
    events = log((START, sh(2026, 3, 9, 16)))
    at_close = compute_timer(CN, working_hours(2), events, now=sh(2026, 3, 9, 18))
    assert (at_close.remaining_minutes, at_close.state) == (0, TimerState.AT_RISK)
    evening = compute_timer(CN, working_hours(2), events, now=sh(2026, 3, 9, 19))
    # Evening: no working minute has passed since 18:00, but the due time the
    # requester was promised has passed: breached.
    assert evening.due_at == sh(2026, 3, 9, 18)
    assert (evening.remaining_minutes, evening.state) == (0, TimerState.BREACHED)
    replied = compute_timer(
        CN,
        working_hours(2),
        log((START, sh(2026, 3, 9, 16)), (STOP, sh(2026, 3, 9, 19))),
        now=sh(2026, 3, 9, 20),
    )
    assert (replied.state, replied.met) == (TimerState.BREACHED, False)
    on_the_dot = compute_timer(
        CN,
        working_hours(2),
        log((START, sh(2026, 3, 9, 16)), (STOP, sh(2026, 3, 9, 18))),
        now=sh(2026, 3, 9, 20),
    )
    assert (on_the_dot.state, on_the_dot.met) == (TimerState.MET, True)
    morning = compute_timer(CN, working_hours(2), events, now=sh(2026, 3, 10, 9, 1))
    assert (morning.remaining_minutes, morning.state) == (-1, TimerState.BREACHED)


# ------------------------------------------------------------------ stop / reopen
def test_stop_before_and_after_due() -> None:
    start = (START, sh(2026, 3, 9, 9))
    # 2 working hours, due 11:00.  Stopped 10:15 -> met, 45 min early.
    early = compute_timer(
        CN, working_hours(2), log(start, (STOP, sh(2026, 3, 9, 10, 15))), now=sh(2026, 3, 10, 12)
    )
    assert (early.state, early.met, early.margin_minutes) == (TimerState.MET, True, 45)
    assert early.stopped_at == sh(2026, 3, 9, 10, 15)
    assert early.due_at == sh(2026, 3, 9, 11)  # the deadline in force at the stop
    assert early.elapsed_minutes == 75  # frozen at the stop
    assert early.at_risk_at is None
    # Stopped 13:20 -> 3 h + 20 min = 200 working min used: 80 min late.
    late = compute_timer(
        CN, working_hours(2), log(start, (STOP, sh(2026, 3, 9, 13, 20))), now=sh(2026, 3, 10, 12)
    )
    assert (late.state, late.met, late.margin_minutes) == (TimerState.BREACHED, False, -80)
    # Stopped while paused: the active time ended at the pause.
    paused_stop = compute_timer(
        CN,
        working_hours(2),
        log(start, (PAUSE, sh(2026, 3, 9, 10)), (STOP, sh(2026, 3, 9, 15))),
        now=sh(2026, 3, 9, 16),
    )
    assert (paused_stop.state, paused_stop.elapsed_minutes, paused_stop.due_at) == (
        TimerState.MET,
        60,
        None,
    )


def test_reopen_continues_the_same_budget() -> None:
    # 8 working hours from Mon 09:00; stopped 11:00 (120 used, met, 360 left).
    # Reopened Tue 09:00; at Tue 10:00 180 used, due = Tue 09:00 + 360 working
    # min = 09-12 (180) + 13-16 (180) -> Tue 16:00.
    events = log(
        (START, sh(2026, 3, 9, 9)), (STOP, sh(2026, 3, 9, 11)), (RESUME, sh(2026, 3, 10, 9))
    )
    result = compute_timer(CN, working_hours(8), events, now=sh(2026, 3, 10, 10))
    assert result.due_at == sh(2026, 3, 10, 16)
    assert (result.elapsed_minutes, result.remaining_minutes) == (180, 300)
    assert result.state == TimerState.ON_TRACK
    assert (result.stopped_at, result.met, result.margin_minutes) == (None, None, None)


def test_events_after_now_are_ignored() -> None:
    # Evaluated "as of" Mon 10:00, a STOP at 11:00 has not happened yet.
    events = log((START, sh(2026, 3, 9, 9)), (STOP, sh(2026, 3, 9, 11)))
    result = compute_timer(CN, working_hours(2), events, now=sh(2026, 3, 9, 10))
    assert result.stopped_at is None and result.met is None
    assert result.elapsed_minutes == 60


def test_deterministic() -> None:
    events = log((START, sh(2026, 3, 9, 9)), (PAUSE, sh(2026, 3, 9, 10)))
    args = (CN, working_hours(3), events, sh(2026, 3, 9, 12))
    assert compute_timer(*args) == compute_timer(*args)


# ------------------------------------------------------------------ provisional
def test_provisional_when_due_in_2027() -> None:
    # Wed Dec 30 2026, 3 working days -> Tue Jan 5 2027 18:00 (Dec 31 = 1, Jan 1
    # holiday, weekend, Jan 4 = 2, Jan 5 = 3).  2027 has no published 调休 yet.
    result = compute_timer(
        CN,
        Target(Unit.WORKING_DAYS, 3),
        log((START, sh(2026, 12, 30, 10))),
        now=sh(2026, 12, 30, 11),
    )
    assert result.due_at == sh(2027, 1, 5, 18)
    assert result.provisional is True
    within = compute_timer(
        CN, Target(Unit.WORKING_DAYS, 3), log((START, sh(2026, 12, 1, 10))), now=sh(2026, 12, 1, 11)
    )
    assert within.provisional is False


# ------------------------------------------------------------------ DST
@pytest.mark.parametrize(
    ("start", "expected_wall"),
    [
        # Berlin spring forward (Sun Mar 29): Sat 12:00 CET + 24 h -> Sun 13:00 CEST.
        (datetime(2026, 3, 28, 12, tzinfo=BERLIN), datetime(2026, 3, 29, 13)),
        # Berlin fall back (Sun Oct 25): Sat 12:00 CEST + 24 h -> Sun 11:00 CET.
        (datetime(2026, 10, 24, 12, tzinfo=BERLIN), datetime(2026, 10, 25, 11)),
        # New York spring forward (Sun Mar 8): Sat 12:00 EST + 24 h -> Sun 13:00 EDT.
        (datetime(2026, 3, 7, 12, tzinfo=NEW_YORK), datetime(2026, 3, 8, 13)),
        # New York fall back (Sun Nov 1): Sat 12:00 EDT + 24 h -> Sun 11:00 EST.
        (datetime(2026, 10, 31, 12, tzinfo=NEW_YORK), datetime(2026, 11, 1, 11)),
    ],
)
def test_calendar_hours_are_real_hours_across_dst(start: datetime, expected_wall: datetime) -> None:
    cal = BusinessCalendar(start.tzinfo.key, default_weekly())  # type: ignore[union-attr]
    result = compute_timer(cal, Target(Unit.CALENDAR_HOURS, 24), log((START, start)), now=start)
    assert result.due_at - start == timedelta(hours=24)
    assert result.due_at.astimezone(UTC) - start.astimezone(UTC) == timedelta(hours=24)
    assert result.due_at.astimezone(start.tzinfo).replace(tzinfo=None) == expected_wall
    # 23 (or 25) real hours later is 24 wall-clock hours: 60 minutes before or after due.
    later = compute_timer(
        cal, Target(Unit.CALENDAR_HOURS, 24), log((START, start)), now=start + timedelta(hours=24)
    )  # wall-clock +24 h on an aware datetime
    assert later.remaining_minutes == (result.due_at - (start + timedelta(hours=24))) // timedelta(
        minutes=1
    )


def test_working_hours_across_dst() -> None:
    berlin = BusinessCalendar("Europe/Berlin", {wd: ((time(9), time(18)),) for wd in range(7)})
    # Sat Mar 28 17:00 CET + 2 working h -> 1 h Sat + Sun 09:00-10:00 CEST.
    start = datetime(2026, 3, 28, 17, tzinfo=BERLIN)
    result = compute_timer(berlin, working_hours(2), log((START, start)), now=start)
    assert result.due_at == datetime(2026, 3, 29, 10, tzinfo=BERLIN)
    # Real time between is 16 h (17:00 CET -> 10:00 CEST), working time 2 h.
    assert result.due_at - start == timedelta(hours=16)

    ny = BusinessCalendar("America/New_York", {wd: ((time(9), time(18)),) for wd in range(5)})
    # Fri Oct 30 17:00 EDT + 2 working h -> Mon Nov 2 10:00 EST (15:00 UTC).
    start = datetime(2026, 10, 30, 17, tzinfo=NEW_YORK)
    result = compute_timer(
        ny, working_hours(2), log((START, start)), now=datetime(2026, 11, 2, 9, 30, tzinfo=NEW_YORK)
    )
    assert result.due_at == datetime(2026, 11, 2, 15, tzinfo=UTC)
    assert result.elapsed_minutes == 90  # 60 Fri + 30 Mon
    # Fri Mar 6 17:00 EST + 2 working h -> Mon Mar 9 10:00 EDT (14:00 UTC).
    start = datetime(2026, 3, 6, 17, tzinfo=NEW_YORK)
    result = compute_timer(ny, working_hours(2), log((START, start)), now=start)
    assert result.due_at == datetime(2026, 3, 9, 14, tzinfo=UTC)


# ------------------------------------------------------------------ bad logs
T0 = sh(2026, 3, 9, 9)
T1 = sh(2026, 3, 9, 10)
T2 = sh(2026, 3, 9, 11)


@pytest.mark.parametrize(
    "events",
    [
        [],
        log((PAUSE, T0)),  # first event must be START
        log((START, T0), (START, T1)),  # second START
        log((START, T0), (RESUME, T1)),  # RESUME while running
        log((START, T0), (PAUSE, T1), (PAUSE, T2)),  # duplicate PAUSE
        log((START, T0), (PAUSE, T0), (RESUME, T1), (RESUME, T2)),  # duplicate RESUME
        log((START, T0), (STOP, T1), (STOP, T2)),  # STOP twice
        log((START, T0), (STOP, T1), (PAUSE, T2)),  # after STOP only RESUME (reopen)
        log((START, T1), (PAUSE, T0)),  # out of order
        log((START, T0), (PAUSE, T1), (STOP, T2), (START, T2)),
        [TimerEvent(START, datetime(2026, 3, 9, 9))],  # naive
        # Invalid even though the bad event is after `now`.
        log((START, T0), (RESUME, sh(2026, 3, 12, 9))),
    ],
)
def test_invalid_event_logs(events: list[TimerEvent]) -> None:
    with pytest.raises(ValueError):
        compute_timer(CN, working_hours(2), events, now=sh(2026, 3, 10, 9))


@pytest.mark.parametrize(
    "target",
    [
        Target(Unit.WORKING_HOURS, 0),
        Target(Unit.WORKING_HOURS, -1),
        Target(Unit.CALENDAR_HOURS, 0.001),  # rounds to 0 minutes
        Target(Unit.WORKING_DAYS, 0),
        Target(Unit.WORKING_DAYS, 1.5),
        Target(Unit.WORKING_HOURS, True),  # type: ignore[arg-type]
    ],
)
def test_invalid_targets(target: Target) -> None:
    with pytest.raises(ValueError):
        compute_timer(CN, target, log((START, T0)), now=T1)


def test_start_after_now_and_naive_now() -> None:
    with pytest.raises(ValueError):
        compute_timer(CN, working_hours(2), log((START, T1)), now=T0)
    with pytest.raises(ValueError):
        compute_timer(CN, working_hours(2), log((START, T0)), now=datetime(2026, 3, 9, 10))
