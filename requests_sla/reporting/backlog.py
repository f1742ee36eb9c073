"""The open requests on the dashboard: the backlog by age and urgency, and the live at-risk/breached list."""

from __future__ import annotations

import datetime as dt

from django.db.models import (
    Q,
    QuerySet,
)

from departments.models import Department
from requests_sla.reporting.filters import DashboardFilters
from requests_sla.reporting.sql import placeholders, rows_in_scope
from requests_sla.requests.models import OPEN_STATUSES, Request
from requests_sla.sla.models import SlaState

LIVE_LIMIT = 30


# Backlog age buckets: (key, lower bound in days inclusive, upper exclusive).
AGE_BUCKETS = (
    ("d0", 0, 1),
    ("d1", 1, 3),
    ("d3", 3, 7),
    ("d7", 7, 14),
    ("d14", 14, 30),
    ("d30", 30, None),
)


def open_requests(filters: DashboardFilters) -> QuerySet[Request]:
    return Request.objects.filter(filters.request_q(), status__in=OPEN_STATUSES)


def urgent_q(now: dt.datetime) -> Q:
    """At risk or breached (the cached state, or a running clock already
    past due that the sweep has not marked yet)."""
    return Q(sla_state__in=[SlaState.AT_RISK, SlaState.BREACHED]) | Q(sla_due_at__lte=now)


def breached_q(now: dt.datetime) -> Q:
    return Q(sla_state=SlaState.BREACHED) | Q(sla_due_at__lte=now)


def age_q(key: str, now: dt.datetime) -> Q:
    for bucket, low, high in AGE_BUCKETS:
        if bucket == key:
            q = Q(created_at__lte=now - dt.timedelta(days=low))
            if high is not None:
                q &= Q(created_at__gt=now - dt.timedelta(days=high))
            return q
    raise KeyError(key)


def backlog_counts(filters: DashboardFilters, now: dt.datetime) -> dict[str, int]:
    """Open requests by age bucket (``age_q``) and urgency (``urgent_q``,
    ``breached_q``): one read grouped by both, at most 7 × 3 rows. (Nine
    ``COUNT … FILTER`` columns over the same rows took PostgreSQL twice as
    long to plan and half as long again to run.)"""
    # Filed "in the future": no bucket; then the youngest bucket first.
    ages = [("", now)] + [
        (key, now - dt.timedelta(days=high)) for key, _low, high in AGE_BUCKETS if high is not None
    ]
    age = "CASE" + " WHEN created_at > %s THEN %s" * len(ages) + " ELSE %s END"
    urgency = (
        "CASE WHEN sla_state = %s OR sla_due_at <= %s THEN 'breached' "  # breached_q
        "WHEN sla_state IN (%s, %s) OR sla_due_at <= %s THEN 'at_risk' ELSE '' END"  # urgent_q
    )
    where, params = filters.where_sql()
    counts = {key: 0 for key, _, _ in AGE_BUCKETS} | {"total": 0, "at_risk": 0, "breached": 0}
    rows = rows_in_scope(
        f"SELECT {age}, {urgency}, COUNT(*) FROM {Request._meta.db_table} "  # noqa: S608
        f"WHERE organization_id = %s{where} AND status IN ({placeholders(OPEN_STATUSES)}) "
        "GROUP BY 1, 2",
        [*params, *OPEN_STATUSES],
        first=[
            *(v for key, after in ages for v in (after, key)),
            AGE_BUCKETS[-1][0],
            SlaState.BREACHED,
            now,
            SlaState.AT_RISK,
            SlaState.BREACHED,
            now,
        ],
    )
    for bucket, state, n in rows:
        counts["total"] += n
        for key in (bucket, state):
            if key:
                counts[key] += n
    return counts


# What the live list shows, exports (``exports.requests_table``) and the
# API returns; the rest (descriptions, custom fields, the related rows' JSON
# settings) is left unread: building 150 full model instances was half of
# this read's time. Departments come from the page's list of them.
LIVE_FIELDS = (
    "number",
    "title",
    "status",
    "priority",
    "sla_state",
    "sla_due_at",
    "created_at",
    "requesting_department",
    "serving_department",
    "request_type__name_zh",
    "request_type__name_en",
    "assignee__username",
    "assignee__first_name",
    "assignee__last_name",
)


def live_requests(
    filters: DashboardFilters, now: dt.datetime, departments: dict[int, Department]
) -> list[Request]:
    live = list(
        open_requests(filters)
        .filter(urgent_q(now))
        .select_related("request_type", "assignee")
        .only(*LIVE_FIELDS)
        .order_by("sla_due_at", "created_at", "id")[:LIVE_LIMIT]
    )
    for r in live:  # the organization's departments, already read
        if r.serving_department_id in departments:
            r.serving_department = departments[r.serving_department_id]
        if r.requesting_department_id in departments:
            r.requesting_department = departments[r.requesting_department_id]
    return live
