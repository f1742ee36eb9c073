"""Reads of the SLA side: calendars, official holidays, the promised due times of a filing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

import holidays as holidays_pkg
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import get_language

from departments.models import bilingual
from requests_sla.catalog.models import RequestType
from requests_sla.sla.calendars import engine_calendar_for
from requests_sla.sla.engine.official import official_calendar_days
from requests_sla.sla.engine.timers import EventKind, Target, TimerEvent, Unit, compute_timer
from requests_sla.sla.models import BusinessCalendar, TimerKind


def calendars_all() -> QuerySet[BusinessCalendar]:
    return (
        BusinessCalendar.objects.select_related("department")
        .prefetch_related("exceptions")
        .order_by(F("department__sort_order").asc(nulls_first=True), "pk")
    )


@dataclass(frozen=True)
class Promise:
    key: str
    kind: str
    name: str
    unit: str
    amount: Decimal
    due_at: dt.datetime | None
    provisional: bool


def promised_times(
    request_type: RequestType, priority: str, at: dt.datetime | None = None
) -> list[Promise]:
    """The due times a requester is promised if they file now (or at ``at``):
    the same computation the timers will run, over a one-event log."""
    at = at or timezone.now()
    policy = request_type.targets_for(priority)
    if not policy:
        return []
    calendar = engine_calendar_for(
        request_type.serving_department_id, request_type.serving_department.organization, at
    )
    specs = [
        (TimerKind.RESPONSE, "response", policy["response"], str(TimerKind.RESPONSE.label)),
        (TimerKind.RESOLUTION, "resolution", policy["resolution"], str(TimerKind.RESOLUTION.label)),
    ] + [
        (
            TimerKind.MILESTONE,
            m["key"],
            m,
            bilingual(m.get("name_zh", ""), m.get("name_en", "")) or m["key"],
        )
        for m in policy.get("milestones") or []
    ]
    promises = []
    for kind, key, target, name in specs:
        result = compute_timer(
            calendar,
            Target(Unit(target["unit"]), Decimal(str(target["amount"]))),
            [TimerEvent(EventKind.START, at)],
            at,
        )
        promises.append(
            Promise(
                key,
                str(kind),
                name,
                target["unit"],
                Decimal(str(target["amount"])),
                result.due_at,
                result.provisional,
            )
        )
    return promises


def organization_calendar() -> BusinessCalendar | None:
    return (
        BusinessCalendar.objects.filter(department__isnull=True)
        .prefetch_related("exceptions")
        .first()
    )


@dataclass(frozen=True)
class OfficialYear:
    year: int
    holidays: list[tuple[dt.date, str]]
    workdays: list[dt.date]
    provisional: bool


def official_years(country: str, years: Iterable[int]) -> list[OfficialYear]:
    """Official days off (with their names) and make-up workdays per year,
    and whether the year's schedule is still a guess (not yet published)."""
    result = []
    language = "zh_CN" if not (get_language() or "").lower().startswith("en") else "en_US"
    for year in years:
        days_off, workdays, provisional = official_calendar_days(country, [year])
        try:
            names = holidays_pkg.country_holidays(country, years=year, language=language)
        except (NotImplementedError, KeyError, ValueError):
            names = {}
        result.append(
            OfficialYear(
                year,
                sorted((d, names.get(d, "")) for d in days_off),
                sorted(workdays),
                year in provisional,
            )
        )
    return result
