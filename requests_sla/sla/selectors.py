"""Reads of the SLA side: calendars, official holidays, the promised due times of a filing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import holidays as holidays_pkg
from django.db.models import F, QuerySet
from django.utils.translation import get_language

from requests_sla.sla.engine.official import official_calendar_days
from requests_sla.sla.models import BusinessCalendar


def calendars_all() -> QuerySet[BusinessCalendar]:
    return (
        BusinessCalendar.objects.select_related("department")
        .prefetch_related("exceptions")
        .order_by(F("department__sort_order").asc(nulls_first=True), "pk")
    )


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
        names: Mapping[dt.date, str]
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
