"""Business-calendar arithmetic for SLA timers (pure Python: stdlib only).

A :class:`BusinessCalendar` says *when work happens*: an IANA timezone, a
weekly pattern of local working ranges (several per weekday, so a lunch break
is expressible), holiday dates and make-up workdays (调休).

Conventions
-----------
* Every public method takes and returns timezone-aware datetimes; results are
  in UTC.  Naive datetimes raise ``ValueError``.
* A working range ``(start, end)`` is local wall time on one date.  ``end`` may
  be ``None`` or ``time.max`` meaning midnight at the end of that date (24:00),
  which is how a 24x7 pattern is written: ``(time(0), None)``.
* Local wall times are converted to instants with ``fold=0`` and zoneinfo
  resolves them.  So a 09:00-18:00 range on a DST-transition day is still
  09:00-18:00 on the wall clock, and its length in real minutes is whatever
  elapses between those wall times.  Ranges whose bounds fall inside a DST gap
  or fold are resolved the same (fold=0) way; overlaps this could create are
  merged, so no real minute is ever counted twice.
* Arithmetic is exact (``timedelta``); nothing is rounded to the minute.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

UTC = UTC
MINUTE = timedelta(minutes=1)
DAY = timedelta(days=1)
MIDNIGHT_END = timedelta(hours=24)

# How far we look for the next working day before declaring the calendar
# unusable (e.g. every date for years is a holiday).  Prevents infinite loops.
MAX_SEARCH_DAYS = 3 * 366

Range = tuple[time, "time | None"]
Interval = tuple[datetime, datetime]


def default_weekly() -> dict[int, tuple[tuple[time, time], ...]]:
    """Mon-Fri 09:00-12:00 and 13:00-18:00 (a one-hour lunch break)."""
    day = ((time(9, 0), time(12, 0)), (time(13, 0), time(18, 0)))
    return {weekday: day for weekday in range(5)}


def around_the_clock_weekly() -> dict[int, tuple[tuple[time, None], ...]]:
    """24x7: every day 00:00-24:00."""
    return {weekday: ((time(0, 0), None),) for weekday in range(7)}


def _require_aware(value: datetime, name: str) -> None:
    if not isinstance(value, datetime) or value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime, got {value!r}")


def _utc(value: datetime, name: str) -> datetime:
    """Validate and convert to UTC.

    Needed before any comparison or subtraction: Python compares and subtracts
    two datetimes sharing one tzinfo object by wall clock, ignoring DST.
    """
    _require_aware(value, name)
    return value.astimezone(UTC)


def _offset_of(value: time) -> timedelta:
    if value.tzinfo is not None:
        raise ValueError("working range times must be naive local wall times")
    return timedelta(
        hours=value.hour, minutes=value.minute, seconds=value.second, microseconds=value.microsecond
    )


def _normalise_day(
    weekday: int, ranges: Iterable[Range]
) -> tuple[tuple[timedelta, timedelta], ...]:
    """Validate one weekday's ranges and turn them into offsets from local midnight."""
    result: list[tuple[timedelta, timedelta]] = []
    for start, end in ranges:
        start_offset = _offset_of(start)
        end_offset = MIDNIGHT_END if end is None or end == time.max else _offset_of(end)
        if end_offset <= start_offset:
            raise ValueError(f"weekday {weekday}: range end {end} must be after start {start}")
        if result and start_offset < result[-1][1]:
            raise ValueError(f"weekday {weekday}: ranges must be sorted and non-overlapping")
        result.append((start_offset, end_offset))
    return tuple(result)


@dataclass(frozen=True)
class BusinessCalendar:
    """Working time of an organisation (see module docstring for conventions).

    ``makeup_weekday`` chooses whose ranges a make-up workday (调休, usually a
    Saturday or Sunday) uses; ``None`` means the first weekday, from Monday,
    that has ranges.
    """

    timezone: str
    weekly: Mapping[int, tuple[Range, ...]] = field(hash=False, compare=False)
    holidays: frozenset[date] = frozenset()
    workdays: frozenset[date] = frozenset()
    provisional_years: frozenset[int] = frozenset()
    makeup_weekday: int | None = None
    # Normalised weekly pattern: 7 tuples of (start, end) offsets from local
    # midnight.  Used for equality/hashing instead of the (mutable) mapping.
    _ranges: tuple[tuple[tuple[timedelta, timedelta], ...], ...] = field(init=False, repr=False)
    _cache: dict[date, tuple[Interval, ...]] = field(
        init=False, repr=False, compare=False, hash=False, default_factory=dict
    )

    def __post_init__(self) -> None:
        tz = ZoneInfo(self.timezone)  # raises on an unknown zone name
        unknown = set(self.weekly) - set(range(7))
        if unknown:
            raise ValueError(f"weekday keys must be 0 (Mon)..6 (Sun), got {sorted(unknown)}")
        ranges = tuple(_normalise_day(wd, self.weekly.get(wd, ())) for wd in range(7))
        if not any(ranges):
            raise ValueError("a business calendar needs at least one working range")
        makeup = self.makeup_weekday
        if makeup is None:
            makeup = next(wd for wd in range(7) if ranges[wd])
        elif not ranges[makeup]:
            raise ValueError(f"makeup_weekday {makeup} has no working ranges")
        # Frozen dataclass: normalise fields through object.__setattr__.
        object.__setattr__(self, "weekly", {wd: tuple(r) for wd, r in self.weekly.items()})
        object.__setattr__(self, "holidays", frozenset(self.holidays))
        object.__setattr__(self, "workdays", frozenset(self.workdays))
        object.__setattr__(self, "provisional_years", frozenset(self.provisional_years))
        object.__setattr__(self, "makeup_weekday", makeup)
        object.__setattr__(self, "_ranges", ranges)
        object.__setattr__(self, "_tz", tz)

    # ------------------------------------------------------------------ factories
    @classmethod
    def standard_china(
        cls,
        holidays: Iterable[date] = (),
        workdays: Iterable[date] = (),
        provisional_years: Iterable[int] = (),
    ) -> BusinessCalendar:
        """Asia/Shanghai, Mon-Fri 09:00-12:00 + 13:00-18:00."""
        return cls(
            timezone="Asia/Shanghai",
            weekly=default_weekly(),
            holidays=frozenset(holidays),
            workdays=frozenset(workdays),
            provisional_years=frozenset(provisional_years),
        )

    # ------------------------------------------------------------------ days
    @property
    def tz(self) -> ZoneInfo:
        tz: ZoneInfo = self._tz  # type: ignore[attr-defined]
        return tz

    def local_date(self, at: datetime) -> date:
        _require_aware(at, "at")
        return at.astimezone(self.tz).date()

    def is_working_day(self, d: date) -> bool:
        """Make-up workdays always work; otherwise holidays never do; otherwise the weekday decides."""
        if d in self.workdays:
            return True
        return d not in self.holidays and bool(self._ranges[d.weekday()])

    def _local_ranges(self, d: date) -> tuple[tuple[timedelta, timedelta], ...]:
        if d in self.workdays:
            return self._ranges[self.makeup_weekday]  # type: ignore[index]
        if d in self.holidays:
            return ()
        return self._ranges[d.weekday()]

    def working_intervals(self, d: date) -> list[Interval]:
        """The working time of local date ``d`` as sorted, disjoint UTC intervals."""
        return list(self._intervals_of(d))

    def _intervals_of(self, d: date) -> tuple[Interval, ...]:
        cached = self._cache.get(d)
        if cached is None:
            cached = self._compute_intervals(d)
            self._cache[d] = cached
        return cached

    def _compute_intervals(self, d: date) -> tuple[Interval, ...]:
        # Adding a timedelta to an aware datetime is wall-clock arithmetic in
        # Python, so midnight + 9h is 09:00 local (fold=0) even on DST days.
        midnight = datetime.combine(d, time(0), tzinfo=self.tz)
        raw = sorted(
            ((midnight + s).astimezone(UTC), (midnight + e).astimezone(UTC))
            for s, e in self._local_ranges(d)
        )
        merged: list[Interval] = []
        for start, end in raw:
            if end <= start:  # a range squeezed to nothing by a DST gap
                continue
            if merged and start <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(merged[-1][1], end))
            else:
                merged.append((start, end))
        return tuple(merged)

    def close_of_day(self, d: date) -> datetime:
        """End of the last working range of working day ``d``."""
        intervals = self._intervals_of(d)
        if not intervals:
            raise ValueError(f"{d} is not a working day")
        return intervals[-1][1]

    # ------------------------------------------------------------------ walking
    def _intervals_from(self, at: datetime) -> Iterator[Interval]:
        """Working intervals after ``at``, clipped to start no earlier than ``at``.

        Yields disjoint, increasing intervals forever (day by day); raises
        ValueError if no working time is found for MAX_SEARCH_DAYS days.
        """
        cursor = _utc(at, "at")
        # Start one day early: with DST oddities a previous local day's range
        # can end after this local day's midnight.
        day = self.local_date(at) - DAY
        idle_days = 0
        while True:
            found = False
            for start, end in self._intervals_of(day):
                start = max(start, cursor)
                if start < end:
                    found = True
                    yield start, end
                    cursor = end
            idle_days = 0 if found else idle_days + 1
            if idle_days > MAX_SEARCH_DAYS:
                raise ValueError(f"no working time within {MAX_SEARCH_DAYS} days after {at}")
            day += DAY

    def next_working_minute(self, at: datetime) -> datetime:
        """``at`` itself if it is working time, else the start of the next working range."""
        start, _ = next(self._intervals_from(at))
        return start

    def working_time_between(self, start: datetime, end: datetime) -> timedelta:
        """Exact working time in [start, end); negative when end < start."""
        start, end = _utc(start, "start"), _utc(end, "end")
        if end < start:
            return -self.working_time_between(end, start)
        total = timedelta(0)
        for iv_start, iv_end in self._intervals_from(start):
            if iv_start >= end:
                break
            total += min(iv_end, end) - iv_start
        return total

    def working_minutes_between(self, start: datetime, end: datetime) -> float:
        """Working minutes in [start, end) (exact; whole numbers for minute-aligned input)."""
        return self.working_time_between(start, end) / MINUTE

    def add_working_time(self, start: datetime, amount: timedelta) -> datetime:
        """Earliest instant at which ``amount`` of working time has elapsed since ``start``.

        "Earliest" matters at range ends: a budget used up exactly at 18:00
        returns 18:00, not 09:00 the next morning.  A zero amount returns
        ``start`` unchanged (even outside working hours).
        """
        utc_start = _utc(start, "start")
        if amount < timedelta(0):
            raise ValueError("amount must not be negative")
        if not amount:
            return start
        remaining = amount
        for iv_start, iv_end in self._intervals_from(utc_start):
            length = iv_end - iv_start
            if remaining <= length:
                return iv_start + remaining
            remaining -= length
        raise AssertionError("unreachable: _intervals_from is infinite")

    def add_working_minutes(self, start: datetime, minutes: int | float) -> datetime:
        return self.add_working_time(start, timedelta(minutes=minutes))

    def nth_working_day_after(self, start: datetime, n: int) -> date:
        """The n-th working day strictly after the local date of ``start`` (民法典 art. 201)."""
        if isinstance(n, bool) or not isinstance(n, int) or n < 1:
            raise ValueError(f"n must be an integer >= 1, got {n!r}")
        day = self.local_date(start)
        idle_days = 0
        while n:
            day += DAY
            if self.is_working_day(day) and self._intervals_of(day):
                n -= 1
                idle_days = 0
            else:
                idle_days += 1
                if idle_days > MAX_SEARCH_DAYS:
                    raise ValueError(f"no working day within {MAX_SEARCH_DAYS} days after {start}")
        return day

    def close_of_nth_working_day_after(self, start: datetime, n: int) -> datetime:
        """Close of business of the n-th working day after the day of ``start``."""
        return self.close_of_day(self.nth_working_day_after(start, n))

    # ------------------------------------------------------------------ provisional
    def is_provisional(self, start: datetime, end: datetime) -> bool:
        """True if [start, end] touches a local year whose official schedule is unknown."""
        if not self.provisional_years:
            return False
        first, last = sorted((self.local_date(start).year, self.local_date(end).year))
        # (local years: a due date of Jan 1 00:30 Shanghai is in the new year)
        return any(year in self.provisional_years for year in range(first, last + 1))


def whole_minutes(value: timedelta) -> int:
    """Floor a duration to whole minutes (so a negative remainder stays negative)."""
    return math.floor(value / MINUTE)
