"""Bulk seeding of overdue requests for the worker tests (no services: the
sweep recomputes every timer from its START event anyway)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from collab.tenancy import organization_scope
from departments.models import Department
from requests_sla.catalog.models import RequestType
from requests_sla.requests.models import Request
from requests_sla.sla.calendars import calendar_row_for
from requests_sla.sla.models import SlaEvent, SlaEventKind, SlaState, SlaTimer, TimerKind


def seed_overdue(
    organization, requester, *, count: int, filed_at: dt.datetime, next_check_at: dt.datetime
) -> None:
    with organization_scope(organization.id):
        rtype = RequestType.objects.get(code="rnd_tech_support")
        business = Department.objects.get(code="business")
        calendar = calendar_row_for(rtype.serving_department_id)
        start = Request.objects.order_by("-number").values_list("number", flat=True).first() or 0
        requests = Request.objects.bulk_create(
            [
                Request(
                    organization=organization,
                    number=start + i + 1,
                    requester=requester,
                    requesting_department=business,
                    serving_department_id=rtype.serving_department_id,
                    request_type=rtype,
                    priority="normal",
                    title=f"bulk {i}",
                    created_at=filed_at,
                    sla_state=SlaState.ON_TRACK,
                )
                for i in range(count)
            ],
            batch_size=1000,
        )
        timers = []
        for request in requests:
            for kind, unit, amount in (
                (TimerKind.RESPONSE, "calendar_hours", 24),
                (TimerKind.RESOLUTION, "working_days", 5),
            ):
                timers.append(
                    SlaTimer(
                        organization=organization,
                        request=request,
                        kind=kind,
                        key=kind,
                        unit=unit,
                        amount=Decimal(amount),
                        calendar=calendar,
                        calendar_version=calendar.version if calendar else 0,
                        started_at=filed_at,
                        state=SlaState.ON_TRACK,
                        next_check_at=next_check_at,
                    )
                )
        timers = SlaTimer.objects.bulk_create(timers, batch_size=1000)
        SlaEvent.objects.bulk_create(
            [
                SlaEvent(organization=organization, timer=t, kind=SlaEventKind.START, at=filed_at)
                for t in timers
            ],
            batch_size=1000,
        )
