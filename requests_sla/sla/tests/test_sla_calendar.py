"""Fixed cases for the business calendar and the official China 2026 schedule.

Every expected value is worked out by hand in the comment next to it.
Calendar under test: Asia/Shanghai, Mon-Fri 09:00-12:00 + 13:00-18:00 (8 h/day).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pytest

from requests_sla.sla.engine.calendar import (
    BusinessCalendar,
    around_the_clock_weekly,
    default_weekly,
)
from requests_sla.sla.engine.official import china_calendar, official_calendar_days

UTC = UTC
SHANGHAI = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
CN = china_calendar([2025, 2026, 2027])


def sh(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


def days(start: date, end: date) -> list[date]:
    return [start + timedelta(n) for n in range((end - start).days + 1)]


# ------------------------------------------------------------------ official data
def test_china_2026_make_up_workdays_are_exactly_the_published_ones() -> None:
    _, workdays, _ = official_calendar_days("CN", [2026])
    # State Council 2026 schedule: Sun Jan 4, Sat Feb 14, Sat Feb 28, Sat May 9,
    # Sun Sep 20, Sat Oct 10.
    assert workdays == {
        date(2026, 1, 4),
        date(2026, 2, 14),
        date(2026, 2, 28),
        date(2026, 5, 9),
        date(2026, 9, 20),
        date(2026, 10, 10),
    }
    for d in workdays:
        assert d.weekday() >= 5
        assert CN.is_working_day(d)
        # A make-up Saturday/Sunday works Monday's hours.
        assert [
            (s.astimezone(SHANGHAI).time(), e.astimezone(SHANGHAI).time())
            for s, e in CN.working_intervals(d)
        ] == [(time(9), time(12)), (time(13), time(18))]


def test_spring_festival_and_national_day_breaks_are_off() -> None:
    # Spring Festival 2026: Sun Feb 15 .. Mon Feb 23 (Feb 15/21/22 are plain weekends,
    # Feb 16-20 and 23 are holidays or substituted days off).
    assert not any(CN.is_working_day(d) for d in days(date(2026, 2, 15), date(2026, 2, 23)))
    assert CN.is_working_day(date(2026, 2, 13))  # Fri before
    assert CN.is_working_day(date(2026, 2, 24))  # Tue after
    # National Day 2026: Thu Oct 1 .. Wed Oct 7; Thu Oct 8 is back to work.
    assert not any(CN.is_working_day(d) for d in days(date(2026, 10, 1), date(2026, 10, 7)))
    assert CN.is_working_day(date(2026, 10, 8))
    assert CN.working_intervals(date(2026, 10, 4)) == []


def test_provisional_years() -> None:
    # holidays 0.109 has 2026's schedule but no 调休 data for 2027.
    _, _, provisional = official_calendar_days("CN", [2025, 2026, 2027])
    assert provisional == {2027}
    assert CN.is_provisional(sh(2026, 12, 30, 10), sh(2027, 1, 5, 18))
    assert not CN.is_provisional(sh(2026, 1, 5, 10), sh(2026, 12, 31, 18))
    # Countries without make-up days: nothing is provisional within the package's range.
    assert official_calendar_days("US", [2026, 2027])[2] == frozenset()


def test_official_days_are_cached() -> None:
    first = official_calendar_days("CN", [2026])
    assert official_calendar_days("cn", [2026]) == first


# ------------------------------------------------------------------ working days
@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        # Filed Mon 10:00: the filing day never counts. 1 -> Tue close, 3 -> Thu close.
        (sh(2026, 3, 9, 10), 1, sh(2026, 3, 10, 18)),
        (sh(2026, 3, 9, 10), 3, sh(2026, 3, 12, 18)),
        # Filed Sat 20:00: day 1 is Monday.
        (sh(2026, 3, 14, 20), 1, sh(2026, 3, 16, 18)),
        # Filed Fri Feb 13 10:00: day 1 = Sat Feb 14 (make-up), Feb 15-23 off,
        # day 2 = Tue Feb 24, day 3 = Wed Feb 25.
        (sh(2026, 2, 13, 10), 3, sh(2026, 2, 25, 18)),
        # Filed on the make-up Saturday itself: Feb 14 does not count -> Tue Feb 24.
        (sh(2026, 2, 14, 10), 1, sh(2026, 2, 24, 18)),
        # Filed Wed Dec 30 2026: Thu Dec 31 = 1, Fri Jan 1 holiday, weekend,
        # Mon Jan 4 = 2, Tue Jan 5 = 3.
        (sh(2026, 12, 30, 10), 3, sh(2027, 1, 5, 18)),
        # Filed during National Day (Sat Oct 3): Thu Oct 8 = day 1.
        (sh(2026, 10, 3, 15), 1, sh(2026, 10, 8, 18)),
    ],
)
def test_close_of_nth_working_day_after(start: datetime, n: int, expected: datetime) -> None:
    assert CN.close_of_nth_working_day_after(start, n) == expected


def test_close_of_nth_working_day_rejects_bad_n() -> None:
    for bad in (0, -1, 1.5, True):
        with pytest.raises(ValueError):
            CN.close_of_nth_working_day_after(sh(2026, 3, 9, 10), bad)  # type: ignore[arg-type]


# ------------------------------------------------------------------ working hours
@pytest.mark.parametrize(
    ("start", "minutes", "expected"),
    [
        # Tue 20:00 is after hours: counting starts Wed 09:00, 2 h -> Wed 11:00.
        (sh(2026, 3, 10, 20), 120, sh(2026, 3, 11, 11)),
        # Sat Oct 3 15:00 is in the National Day break: Thu Oct 8 09:00 + 8 h
        # = 09-12 (3 h) + 13-18 (5 h) -> Oct 8 18:00 (not Oct 9 09:00).
        (sh(2026, 10, 3, 15), 480, sh(2026, 10, 8, 18)),
        # Budget used up exactly at the lunch break: 11:00 + 60 -> 12:00, not 13:00.
        (sh(2026, 3, 9, 11), 60, sh(2026, 3, 9, 12)),
        # One more minute crosses lunch: 13:01.
        (sh(2026, 3, 9, 11), 61, sh(2026, 3, 9, 13, 1)),
        # Zero minutes returns the start unchanged, even after hours.
        (sh(2026, 3, 10, 20), 0, sh(2026, 3, 10, 20)),
        # On the make-up Saturday Feb 14, 10:00 + 4 h = 10-12 (2 h) + 13-15 (2 h).
        (sh(2026, 2, 14, 10), 240, sh(2026, 2, 14, 15)),
        # Fri Feb 13 17:00 + 2 h: 1 h Fri, 1 h on the make-up Sat Feb 14 -> 10:00.
        (sh(2026, 2, 13, 17), 120, sh(2026, 2, 14, 10)),
        # Thu Feb 26 17:00 + 16 h: Thu 1 h, Fri Feb 27 8 h, make-up Sat Feb 28 7 h
        # -> Feb 28 17:00.
        (sh(2026, 2, 26, 17), 960, sh(2026, 2, 28, 17)),
    ],
)
def test_add_working_minutes(start: datetime, minutes: int, expected: datetime) -> None:
    assert CN.add_working_minutes(start, minutes) == expected


def test_working_minutes_between() -> None:
    # Fri Feb 13 10:00 -> Wed Feb 25 18:00: Fri 7 h (10-12, 13-18), make-up Sat 8 h,
    # Tue Feb 24 8 h, Wed Feb 25 8 h = 31 h = 1860 min.
    assert CN.working_minutes_between(sh(2026, 2, 13, 10), sh(2026, 2, 25, 18)) == 1860
    # Lunch does not count: 11:30 -> 13:30 = 30 + 30 min.
    assert CN.working_minutes_between(sh(2026, 3, 9, 11, 30), sh(2026, 3, 9, 13, 30)) == 60
    # Whole National Day break: nothing.
    assert CN.working_minutes_between(sh(2026, 10, 1), sh(2026, 10, 8)) == 0
    # Reversed bounds give the negative.
    assert CN.working_minutes_between(sh(2026, 3, 9, 13, 30), sh(2026, 3, 9, 11, 30)) == -60
    # Seconds are exact, not rounded: 09:00:30 -> 09:02 is 1.5 min.
    assert CN.working_minutes_between(sh(2026, 3, 9, 9, 0, 30), sh(2026, 3, 9, 9, 2)) == 1.5


def test_next_working_minute() -> None:
    assert CN.next_working_minute(sh(2026, 3, 9, 10)) == sh(2026, 3, 9, 10)  # inside
    assert CN.next_working_minute(sh(2026, 3, 9, 12, 30)) == sh(2026, 3, 9, 13)  # lunch
    assert CN.next_working_minute(sh(2026, 2, 15, 12)) == sh(2026, 2, 24, 9)  # festival
    # Any timezone in, same instant: 2026-03-09 04:30 UTC is 12:30 Shanghai.
    assert CN.next_working_minute(datetime(2026, 3, 9, 4, 30, tzinfo=UTC)) == sh(2026, 3, 9, 13)


def test_long_spans_jump_day_by_day() -> None:
    # 2026 has 250 working days (China) of 8 h: Jan 1 00:00 -> Jan 1 2027 00:00.
    total = CN.working_minutes_between(sh(2026, 1, 1), sh(2027, 1, 1))
    working_days = sum(CN.is_working_day(d) for d in days(date(2026, 1, 1), date(2026, 12, 31)))
    assert total == working_days * 480
    # Adding that back lands on the close of the last working day of 2026 (Thu Dec 31).
    assert CN.add_working_minutes(sh(2026, 1, 1), total) == sh(2026, 12, 31, 18)


# ------------------------------------------------------------------ DST
def test_24x7_day_lengths_across_dst() -> None:
    cal = BusinessCalendar("Europe/Berlin", around_the_clock_weekly())
    # Berlin spring forward Sun 2026-03-29: the local day has 23 real hours.
    assert (
        cal.working_minutes_between(
            datetime(2026, 3, 29, tzinfo=BERLIN), datetime(2026, 3, 30, tzinfo=BERLIN)
        )
        == 23 * 60
    )
    # Fall back Sun 2026-10-25: 25 hours.
    assert (
        cal.working_minutes_between(
            datetime(2026, 10, 25, tzinfo=BERLIN), datetime(2026, 10, 26, tzinfo=BERLIN)
        )
        == 25 * 60
    )
    ny = BusinessCalendar("America/New_York", around_the_clock_weekly())
    assert (
        ny.working_minutes_between(
            datetime(2026, 3, 8, tzinfo=NEW_YORK), datetime(2026, 3, 9, tzinfo=NEW_YORK)
        )
        == 23 * 60
    )
    assert (
        ny.working_minutes_between(
            datetime(2026, 11, 1, tzinfo=NEW_YORK), datetime(2026, 11, 2, tzinfo=NEW_YORK)
        )
        == 25 * 60
    )
    # 24 working hours on a 24x7 calendar are 24 real hours: Sat 12:00 CET
    # (11:00 UTC) -> Sun 11:00 UTC = 13:00 CEST on the wall clock.
    start = datetime(2026, 3, 28, 12, tzinfo=BERLIN)
    due = cal.add_working_minutes(start, 24 * 60)
    assert due - start == timedelta(hours=24)
    assert due.astimezone(BERLIN).replace(tzinfo=None) == datetime(2026, 3, 29, 13)


def test_working_hours_across_dst() -> None:
    daily = {wd: ((time(9), time(18)),) for wd in range(7)}
    berlin = BusinessCalendar("Europe/Berlin", daily)
    # The range on the transition day is still 09:00-18:00 local = 9 real hours.
    assert [
        (s.astimezone(BERLIN).time(), e.astimezone(BERLIN).time())
        for s, e in berlin.working_intervals(date(2026, 3, 29))
    ] == [(time(9), time(18))]
    # Sat Mar 28 17:00 CET + 2 h: 1 h Sat, then Sun 09:00-10:00 CEST (08:00 UTC).
    due = berlin.add_working_minutes(datetime(2026, 3, 28, 17, tzinfo=BERLIN), 120)
    assert due == datetime(2026, 3, 29, 10, tzinfo=BERLIN) == datetime(2026, 3, 29, 8, tzinfo=UTC)
    # Fall back: Sat Oct 24 17:00 CEST + 2 h -> Sun Oct 25 10:00 CET (09:00 UTC).
    due = berlin.add_working_minutes(datetime(2026, 10, 24, 17, tzinfo=BERLIN), 120)
    assert due == datetime(2026, 10, 25, 9, tzinfo=UTC)

    ny = BusinessCalendar("America/New_York", {wd: ((time(9), time(18)),) for wd in range(5)})
    # Fri Mar 6 17:00 EST + 2 h: 1 h Fri, Mon Mar 9 09:00-10:00 EDT (14:00 UTC).
    assert ny.add_working_minutes(datetime(2026, 3, 6, 17, tzinfo=NEW_YORK), 120) == datetime(
        2026, 3, 9, 14, tzinfo=UTC
    )
    # Fri Oct 30 17:00 EDT + 2 h -> Mon Nov 2 10:00 EST (15:00 UTC).
    assert ny.add_working_minutes(datetime(2026, 10, 30, 17, tzinfo=NEW_YORK), 120) == datetime(
        2026, 11, 2, 15, tzinfo=UTC
    )


def test_range_inside_dst_gap_is_resolved_with_fold_0() -> None:
    # 02:30-03:30 on Berlin's spring-forward day: 02:30 does not exist; with
    # fold=0 it reads as 02:30 CET = 01:30 UTC, and 03:30 CEST is also 01:30
    # UTC, so the range is empty that day (and never negative).
    cal = BusinessCalendar("Europe/Berlin", {6: ((time(2, 30), time(3, 30)),)})
    assert cal.working_intervals(date(2026, 3, 29)) == []
    assert len(cal.working_intervals(date(2026, 4, 5))) == 1


# ------------------------------------------------------------------ validation
def test_make_up_day_uses_configured_weekday() -> None:
    weekly = {0: ((time(9), time(18)),), 5: ((time(9), time(12)),)}
    saturday = date(2026, 2, 14)
    default = BusinessCalendar("Asia/Shanghai", weekly, workdays={saturday})
    assert CN.is_working_day(saturday)
    # Default: Monday's ranges (a make-up day replaces a full weekday).
    assert default.working_minutes_between(sh(2026, 2, 14), sh(2026, 2, 15)) == 540
    half = BusinessCalendar("Asia/Shanghai", weekly, workdays={saturday}, makeup_weekday=5)
    assert half.working_minutes_between(sh(2026, 2, 14), sh(2026, 2, 15)) == 180


def test_holiday_and_workday_precedence() -> None:
    monday = date(2026, 3, 9)
    cal = BusinessCalendar("Asia/Shanghai", default_weekly(), holidays={monday})
    assert not cal.is_working_day(monday)  # holiday beats the weekly pattern
    both = BusinessCalendar("Asia/Shanghai", default_weekly(), holidays={monday}, workdays={monday})
    assert both.is_working_day(monday)  # an explicit make-up workday beats a holiday


@pytest.mark.parametrize(
    "weekly",
    [
        {},  # no working time at all
        {0: ()},
        {0: ((time(12), time(9)),)},  # end before start
        {0: ((time(9), time(9)),)},  # empty
        {0: ((time(9), time(13)), (time(12), time(18)))},  # overlap
        {0: ((time(13), time(18)), (time(9), time(12)))},  # unsorted
        {7: ((time(9), time(18)),)},  # no weekday 7
    ],
)
def test_invalid_weekly_patterns(weekly: dict) -> None:
    with pytest.raises(ValueError):
        BusinessCalendar("Asia/Shanghai", weekly)


def test_invalid_inputs() -> None:
    with pytest.raises(ValueError):
        CN.add_working_minutes(datetime(2026, 3, 9, 10), 60)  # naive
    with pytest.raises(ValueError):
        CN.add_working_minutes(sh(2026, 3, 9, 10), -1)
    with pytest.raises(ValueError):
        BusinessCalendar(
            "Asia/Shanghai", default_weekly(), makeup_weekday=6
        )  # Sunday has no ranges
    with pytest.raises(ZoneInfoNotFoundError):
        BusinessCalendar("Not/AZone", default_weekly())


def test_no_reachable_working_day_raises_instead_of_looping() -> None:
    # Only Mondays work, and every Monday for five years is a holiday.
    mondays = frozenset(date(2026, 1, 5) + timedelta(weeks=n) for n in range(5 * 53))
    cal = BusinessCalendar("Asia/Shanghai", {0: ((time(9), time(18)),)}, holidays=mondays)
    with pytest.raises(ValueError):
        cal.add_working_minutes(sh(2026, 1, 1), 60)
    with pytest.raises(ValueError):
        cal.close_of_nth_working_day_after(sh(2026, 1, 1), 1)


def test_calendar_is_hashable_and_compares_by_value() -> None:
    a = BusinessCalendar.standard_china(holidays={date(2026, 1, 1)})
    b = BusinessCalendar.standard_china(holidays=[date(2026, 1, 1)])
    assert a == b and hash(a) == hash(b)
    assert a != BusinessCalendar.standard_china()
