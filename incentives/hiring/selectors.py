"""Reads of hiring: what a member may see (HR everything, others their
department's), the plan vs filled per department, time-to-fill in working
days on the organization's business calendar."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from departments.models import Membership, bilingual
from incentives.hiring.models import HeadcountRequest, HiringPlan, Position, Stage
from incentives.permissions import can_manage_hiring
from requests_sla.sla.calendars import org_calendar
from requests_sla.sla.engine.calendar import BusinessCalendar


def requests_visible_to(membership: Membership) -> QuerySet[HeadcountRequest]:
    qs = HeadcountRequest.objects.select_related("department", "requested_by")
    if can_manage_hiring(membership):
        return qs
    return qs.filter(department_id=membership.department_id)


def positions_visible_to(membership: Membership) -> QuerySet[Position]:
    qs = Position.objects.select_related("department", "plan", "joiner")
    if can_manage_hiring(membership):
        return qs
    return qs.filter(department_id=membership.department_id)


def plans_all() -> QuerySet[HiringPlan]:
    return HiringPlan.objects.order_by("-year", "-quarter")


def working_days_between(calendar: BusinessCalendar, first: dt.date, last: dt.date) -> int:
    """Working days after ``first`` up to and including ``last`` (0 the same day)."""
    if last <= first:
        return 0
    day, count = first + dt.timedelta(days=1), 0
    while day <= last:
        count += calendar.is_working_day(day)
        day += dt.timedelta(days=1)
    return count


def time_to_fill(position: Position) -> int | None:
    """Working days from opening to joining; None while the position is open."""
    if position.joined_on is None:
        return None
    calendar = org_calendar(position.organization_id, timezone.now())
    return working_days_between(calendar, position.opened_on, position.joined_on)


def with_days_to_fill(positions: list[Position]) -> list[Position]:
    """Each position with ``days_to_fill`` (working days; None while open),
    one calendar for the lot."""
    calendar = None
    for position in positions:
        position.days_to_fill = None  # type: ignore[attr-defined]
        if position.joined_on is not None:
            calendar = calendar or org_calendar(position.organization_id, timezone.now())
            position.days_to_fill = working_days_between(  # type: ignore[attr-defined]
                calendar, position.opened_on, position.joined_on
            )
    return positions


@dataclass
class DepartmentRow:
    department_id: int
    name: str
    planned: int
    filled: int
    in_offer: int
    avg_days_to_fill: Decimal | None

    @property
    def open(self) -> int:
        return self.planned - self.filled


def plan_vs_filled(positions: QuerySet[Position]) -> list[DepartmentRow]:
    """Per department: positions planned, filled (joined), at offer, and the
    average time-to-fill of the filled ones. One aggregate, one read of the
    joined positions' dates."""
    rows = (
        positions.order_by()
        .values("department_id", "department__name_zh", "department__name_en")
        .annotate(
            planned=Count("id"),
            filled=Count("id", filter=Q(stage=Stage.JOINED)),
            in_offer=Count("id", filter=Q(stage=Stage.OFFER)),
        )
        .order_by("department__sort_order", "department_id")
    )
    days: dict[int, list[int]] = {}
    joined = positions.filter(stage=Stage.JOINED, joined_on__isnull=False).values_list(
        "organization_id", "department_id", "opened_on", "joined_on"
    )
    calendars: dict[int, BusinessCalendar] = {}
    for org_id, department_id, opened_on, joined_on in joined.order_by():
        if org_id not in calendars:
            calendars[org_id] = org_calendar(org_id, timezone.now())
        days.setdefault(department_id, []).append(
            working_days_between(calendars[org_id], opened_on, joined_on)
        )
    out = []
    for row in rows:
        spans = days.get(row["department_id"], [])
        avg = (Decimal(sum(spans)) / len(spans)).quantize(Decimal("0.1")) if spans else None
        out.append(
            DepartmentRow(
                row["department_id"],
                bilingual(row["department__name_zh"], row["department__name_en"]),
                row["planned"],
                row["filled"],
                row["in_offer"],
                avg,
            )
        )
    return out
