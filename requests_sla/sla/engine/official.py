"""Official public-holiday data from the ``holidays`` package (no Django).

China publishes its schedule (holidays plus 调休 make-up workdays) each
November for the following year.  The ``holidays`` package encodes the
published years; for later years it only knows the fixed-date/lunar holidays
and guesses "observed" days, and has no make-up workdays.  Such a year is
*provisional*: SLA due dates falling in it may move once the State Council
publishes the real schedule.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from datetime import date, time

import holidays as holidays_pkg

from requests_sla.sla.engine.calendar import BusinessCalendar, default_weekly

# A working week: weekday (0 = Monday) → its (start, end) ranges; end None is midnight.
Weekly = dict[int, tuple[tuple[time, time | None], ...]]

# Countries with a 调休-style schedule: a year without any published make-up
# workday or substituted day off is one the package has no official data for.
_SCHEDULE_COUNTRIES = frozenset({"CN"})


@functools.lru_cache(maxsize=256)
def _official_year(country: str, year: int) -> tuple[frozenset[date], frozenset[date], bool]:
    """(holidays, make-up workdays, provisional) for one country and year."""
    table = holidays_pkg.country_holidays(country, years=year)
    days_off = frozenset(d for d in table if d.year == year)
    # weekend_workdays is only defined for countries with make-up days.  It
    # can hold dates of the neighbouring year (e.g. 2001-12-29 for 2002's New
    # Year break) and, in holidays 0.109, other years' dates too; keep only
    # this year's, neighbours are picked up when their year is requested.
    workdays = frozenset(d for d in getattr(table, "weekend_workdays", ()) if d.year == year)
    if country.upper() in _SCHEDULE_COUNTRIES:
        substituted = any(
            "substituted" in name.lower() for d, name in table.items() if d.year == year
        )
        provisional = not workdays and not substituted
    else:
        start = getattr(table, "start_year", None)
        end = getattr(table, "end_year", None)
        provisional = (start is not None and year < start) or (end is not None and year > end)
    return days_off, workdays, provisional


def official_calendar_days(
    country: str, years: Iterable[int]
) -> tuple[frozenset[date], frozenset[date], frozenset[int]]:
    """(holidays, make-up workdays, provisional years) for ``country`` over ``years``."""
    all_days_off: set[date] = set()
    all_workdays: set[date] = set()
    provisional: set[int] = set()
    for year in sorted(set(years)):
        days_off, workdays, is_provisional = _official_year(country.upper(), year)
        all_days_off |= days_off
        all_workdays |= workdays
        if is_provisional:
            provisional.add(year)
    return frozenset(all_days_off), frozenset(all_workdays), frozenset(provisional)


def official_calendar(
    country: str,
    years: Iterable[int],
    timezone: str,
    weekly: Weekly | None = None,
) -> BusinessCalendar:
    """A BusinessCalendar with the official days of ``country`` for ``years``."""
    days_off, workdays, provisional = official_calendar_days(country, years)
    return BusinessCalendar(
        timezone=timezone,
        weekly=weekly if weekly is not None else default_weekly(),
        holidays=days_off,
        workdays=workdays,
        provisional_years=provisional,
    )


def china_calendar(years: Iterable[int], weekly: Weekly | None = None) -> BusinessCalendar:
    """Asia/Shanghai calendar with China's official holidays and make-up workdays."""
    return official_calendar("CN", years, "Asia/Shanghai", weekly)
