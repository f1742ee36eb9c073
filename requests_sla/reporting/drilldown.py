"""The requests behind one figure of the dashboard."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from django.db.models import (
    QuerySet,
)
from django.utils import timezone

from requests_sla.reporting.backlog import AGE_BUCKETS, age_q, breached_q, urgent_q
from requests_sla.reporting.filters import KINDS, DashboardFilters, date_param, int_param
from requests_sla.requests.models import OPEN_STATUSES, Request
from requests_sla.requests.selectors import REQUEST_RELATED
from requests_sla.sla.models import SlaOutcome

BUCKETS = (
    "decided",
    "met",
    "breached",
    "prev_decided",
    "prev_met",
    "stopped",
    "week",
    "filed",
    "matrix",
    "open",
    "at_risk",
    "breached_open",
) + tuple(f"age_{key}" for key, _, _ in AGE_BUCKETS)


def drilldown(
    filters: DashboardFilters, params: Mapping[str, Any], *, now: dt.datetime | None = None
) -> QuerySet[Request]:
    """The requests behind one figure: the dashboard's filters plus
    ``bucket`` (and ``kind``, ``week``, ``requesting``/``serving`` where the
    bucket needs them). An unknown bucket is an empty list, never a 500."""
    now = now or timezone.now()
    bucket = params.get("bucket") or "decided"
    kind = params.get("kind") or ""
    base = Request.objects.select_related(*REQUEST_RELATED)
    if bucket not in BUCKETS:
        return base.none()
    if bucket in ("open", "at_risk", "breached_open") or bucket.startswith("age_"):
        return _open_requests(
            base.filter(filters.request_q(), status__in=OPEN_STATUSES), bucket, now
        )
    if bucket in ("filed", "week"):
        week = date_param(params.get("week"))
        if week is None:
            return base.none()
        lo, hi = replace(filters, start=week, end=week + dt.timedelta(days=6)).bounds()
    elif bucket.startswith("prev_"):
        lo, hi = filters.previous().bounds()
    else:
        lo, hi = filters.bounds()
    if bucket == "filed":
        return base.filter(filters.request_q(), created_at__gte=lo, created_at__lt=hi).order_by(
            "created_at", "id"
        )
    outcomes = _outcomes(filters, params, bucket, kind, lo, hi)
    return base.filter(pk__in=outcomes.values("request_id")).order_by("-created_at", "-id")


def _open_requests(qs: QuerySet[Request], bucket: str, now: dt.datetime) -> QuerySet[Request]:
    """The open requests behind a backlog figure (open, at risk, breached, by age)."""
    if bucket == "at_risk":
        qs = qs.filter(urgent_q(now) & ~breached_q(now))
    elif bucket == "breached_open":
        qs = qs.filter(breached_q(now))
    elif bucket.startswith("age_"):
        qs = qs.filter(age_q(bucket[4:], now))
    return qs.order_by("sla_due_at", "created_at", "id")


def _outcomes(
    filters: DashboardFilters,
    params: Mapping[str, Any],
    bucket: str,
    kind: str,
    lo: dt.datetime,
    hi: dt.datetime,
) -> QuerySet[SlaOutcome]:
    """The timer outcomes behind an outcome figure, decided (or stopped) in [lo, hi)."""
    outcomes = SlaOutcome.objects.filter(filters.outcome_q(), kind__in=KINDS)
    if kind in KINDS:
        outcomes = outcomes.filter(kind=kind)
    if bucket == "stopped":
        outcomes = outcomes.filter(stopped_at__gte=lo, stopped_at__lt=hi)
    else:
        outcomes = outcomes.filter(decided_at__gte=lo, decided_at__lt=hi)
    if bucket in ("met", "prev_met") or (bucket == "week" and params.get("met") == "1"):
        outcomes = outcomes.filter(met=True)
    elif bucket == "breached" or params.get("breached") == "1":
        outcomes = outcomes.filter(breached=True)
    if bucket == "matrix":
        requesting = params.get("from")
        outcomes = (
            outcomes.filter(
                requesting_department_id=int_param(requesting)
                if requesting not in ("", "none", None)
                else None
            )
            if requesting != "none"
            else outcomes.filter(requesting_department_id__isnull=True)
        )
        outcomes = outcomes.filter(serving_department_id=int_param(params.get("to")))
    return outcomes
