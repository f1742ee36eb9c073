"""Build the pure ``sla.engine.calendar.BusinessCalendar`` from the database rows.

Official days (``holidays`` package) for the years needed, merged with the
admin's ``CalendarException`` rows: an exception wins over official data
(a declared holiday removes an official make-up workday and vice versa).
Built calendars are cached in-process per (calendar id, version), over the
union of the years asked for: every change bumps ``version``, so a stale
entry is simply never asked for again.
"""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from typing import Any

from django.db.models import Q

from collab.tenancy import organization_scope
from departments.models import Organization
from requests_sla.sla.engine import calendar as sla_calendar
from requests_sla.sla.engine.official import official_calendar_days
from requests_sla.sla.models import (
    BusinessCalendar,
    CalendarException,
    ExceptionKind,
)

_CACHE: OrderedDict[tuple[Any, ...], tuple[tuple[int, int], sla_calendar.BusinessCalendar]] = (
    OrderedDict()
)
_CACHE_SIZE = 1024


def parse_weekly(weekly: dict[str, Any]) -> dict[int, tuple[tuple[dt.time, dt.time | None], ...]]:
    """``{"0": [["09:00", "12:00"], ...]}`` → ``{0: ((time(9), time(12)), ...)}``;
    "24:00" is midnight at the end of the day. Raises ValueError when malformed."""
    if not isinstance(weekly, dict):
        raise ValueError("weekly must be an object keyed by weekday")
    parsed: dict[int, tuple[tuple[dt.time, dt.time | None], ...]] = {}
    for day, ranges in weekly.items():
        weekday = int(day)
        if not 0 <= weekday <= 6:
            raise ValueError(f"weekday {day} must be 0 (Mon) to 6 (Sun)")
        if not isinstance(ranges, list):
            raise ValueError(f"weekday {day}: ranges must be a list")
        day_ranges = []
        for pair in ranges:
            if not isinstance(pair, list | tuple) or len(pair) != 2:
                raise ValueError(f"weekday {day}: each range is [start, end]")
            start = dt.time.fromisoformat(pair[0])
            end = None if pair[1] in ("24:00", "24:00:00") else dt.time.fromisoformat(pair[1])
            day_ranges.append((start, end))
        parsed[weekday] = tuple(day_ranges)
    return parsed


def validate_weekly(weekly: dict[str, Any], timezone: str = "UTC") -> None:
    """Raise ValueError unless ``weekly`` makes a usable calendar."""
    sla_calendar.BusinessCalendar(timezone=timezone, weekly=parse_weekly(weekly))


def calendar_row_for(department_id: int | None) -> BusinessCalendar | None:
    """The department's own calendar if it has one, else the organization's."""
    condition = Q(department__isnull=True)
    if department_id:
        condition |= Q(department_id=department_id)
    rows = list(BusinessCalendar.objects.filter(condition))
    return next((r for r in rows if r.department_id), rows[0] if rows else None)


def years_for(*instants: dt.datetime) -> tuple[int, int]:
    """Years a timer may touch: its start's to two years past the latest instant
    (a working-days budget started late in December runs into January)."""
    years = [i.year for i in instants if i is not None]
    return min(years), max(years) + 2


def build_calendar(row: BusinessCalendar, years: tuple[int, int]) -> sla_calendar.BusinessCalendar:
    """The built calendar of ``row`` covering ``years``. One entry per
    (calendar id, version): a request for years the entry does not cover
    rebuilds it over the union, so callers asking for different spans (a
    timer started last year, the organization's meeting slots) share it."""
    key = (row.pk, row.version)
    cached = _CACHE.get(key)
    if cached is not None:
        (first, last), built = cached
        if first <= years[0] and years[1] <= last:
            _CACHE.move_to_end(key)
            return built
        years = (min(first, years[0]), max(last, years[1]))
    holidays: set[dt.date] = set()
    workdays: set[dt.date] = set()
    provisional: frozenset[int] = frozenset()
    if row.use_official_holidays and row.country:
        official = official_calendar_days(row.country, range(years[0], years[1] + 1))
        holidays, workdays, provisional = set(official[0]), set(official[1]), official[2]
    # Explicitly by the calendar's own organization: the sweep builds
    # calendars for many organizations from one process.
    exceptions = CalendarException.unscoped.filter(
        organization_id=row.organization_id,
        calendar_id=row.pk,
        date__year__gte=years[0],
        date__year__lte=years[1],
    ).values_list("date", "kind")
    for day, kind in exceptions:
        if kind == ExceptionKind.HOLIDAY:
            holidays.add(day)
            workdays.discard(day)
        else:
            workdays.add(day)
            holidays.discard(day)
    built = sla_calendar.BusinessCalendar(
        timezone=row.timezone,
        weekly=parse_weekly(row.weekly or DEFAULT_WEEKLY),
        holidays=frozenset(holidays),
        workdays=frozenset(workdays),
        provisional_years=provisional,
    )
    _CACHE[key] = (years, built)
    _CACHE.move_to_end(key)
    while len(_CACHE) > _CACHE_SIZE:
        _CACHE.popitem(last=False)
    return built


def fallback_calendar(
    timezone: str, country: str, years: tuple[int, int]
) -> sla_calendar.BusinessCalendar:
    """For an organization with no calendar row yet: the default week."""
    row = BusinessCalendar(
        pk=None, timezone=timezone, country=country, weekly=DEFAULT_WEEKLY, version=0
    )
    key = ("fallback", timezone, country, years)
    if key not in _CACHE:
        _CACHE[key] = (years, build_calendar_uncached(row, years))
    return _CACHE[key][1]


def build_calendar_uncached(
    row: BusinessCalendar, years: tuple[int, int]
) -> sla_calendar.BusinessCalendar:
    holidays, workdays, provisional = official_calendar_days(
        row.country, range(years[0], years[1] + 1)
    )
    return sla_calendar.BusinessCalendar(
        timezone=row.timezone,
        weekly=parse_weekly(row.weekly),
        holidays=holidays,
        workdays=workdays,
        provisional_years=provisional,
    )


# Mon–Fri 09:00–12:00 and 13:00–18:00: the seed's default working week.
DEFAULT_WEEKLY = {str(day): [["09:00", "12:00"], ["13:00", "18:00"]] for day in range(5)}


def org_calendar(organization_id: int, now: dt.datetime) -> sla_calendar.BusinessCalendar:
    """The organization's (not a department's) working calendar, built."""
    with organization_scope(organization_id):
        row = calendar_row_for(None)
        years = years_for(now)
        if row is None:
            org = Organization.objects.get(pk=organization_id)
            return fallback_calendar(org.timezone, org.country, years)
        return build_calendar(row, years)


def engine_calendar_for(
    department_id: int | None, organization: Organization, *instants: dt.datetime
) -> sla_calendar.BusinessCalendar:
    """The pure calendar a timer of this department runs on."""
    years = years_for(*instants)
    row = calendar_row_for(department_id)
    if row is None:
        return fallback_calendar(organization.timezone, organization.country, years)
    return build_calendar(row, years)
