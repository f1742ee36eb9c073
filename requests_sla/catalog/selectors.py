"""Reads of the catalog: the request types to file with, by department."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import QuerySet
from django.utils import timezone

from departments.models import Department, bilingual
from requests_sla.catalog.models import RequestType
from requests_sla.sla.calendars import engine_calendar_for
from requests_sla.sla.engine.timers import EventKind, Target, TimerEvent, Unit, compute_timer
from requests_sla.sla.models import TimerKind


def request_types_for_filing() -> QuerySet[RequestType]:
    return (
        RequestType.objects.filter(is_active=True)
        .select_related("serving_department")
        .order_by("serving_department__sort_order", "sort_order", "code")
    )


def request_types_all() -> QuerySet[RequestType]:
    return RequestType.objects.select_related("serving_department").order_by(
        "serving_department__sort_order", "sort_order", "code"
    )


@dataclass
class DepartmentOffer:
    department: Department
    types: list[RequestType] = field(default_factory=list)


def filing_offers() -> list[DepartmentOffer]:
    """Departments that take requests, each with its active request types."""
    offers: dict[int, DepartmentOffer] = {}
    for rtype in request_types_for_filing():
        offer = offers.setdefault(
            rtype.serving_department_id, DepartmentOffer(rtype.serving_department)
        )
        offer.types.append(rtype)
    return list(offers.values())


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
