"""Reads of the ops manager's SLA dashboard (issue 5).

Every figure is one SQL aggregate over ``SlaOutcome`` (timer outcomes, see
``models_dashboard``) or over ``Request``; no rows are loaded into Python to
be counted, and the number of queries does not depend on the data.

The formula, shown on the page: attainment = timers met ÷ timers decided in
the period, where a timer is *decided* when it breached (even if it was
stopped later) or, if it never breached, when it was met (response on the
first answer, resolution on the resolve; a reopened request's resolution
timer is decided again when it is resolved again). Timers stopped on time by
a cancel, reject or transfer are left out. Times to first response and to
resolution are business minutes (pauses excluded) of the timers *stopped* in
the period.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.db.models import Aggregate, Count, FloatField, Q, QuerySet, Sum
from django.db.models.functions import TruncWeek
from django.http import Http404
from django.utils import timezone

from departments.models import Department, Membership

from .models import OPEN_STATUSES, Priority, Request, RequestType, SlaOutcome, SlaState, TimerKind
from .selectors import REQUEST_RELATED

PERIODS = ("week", "month", "quarter", "custom")
KINDS = (TimerKind.RESPONSE, TimerKind.RESOLUTION)
TREND_MIN_WEEKS = 12
TREND_MAX_WEEKS = 106
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


class PercentileCont(Aggregate):
    """PostgreSQL's ``percentile_cont(p) WITHIN GROUP (ORDER BY x)``, usable
    with ``filter=``. Other databases (the SQLite dev default) get NULL."""

    function = "percentile_cont"
    name = "PercentileCont"
    output_field = FloatField()

    def __init__(self, expression, fraction: float, **extra):
        self.template = f"%(function)s({float(fraction)!r}) WITHIN GROUP (ORDER BY %(expressions)s)"
        super().__init__(expression, **extra)

    def as_sql(self, compiler, connection, **extra_context):
        if connection.vendor != "postgresql":
            return "NULL", []
        return super().as_sql(compiler, connection, **extra_context)


# ---------------------------------------------------------------- filters


@dataclass(frozen=True)
class DashboardFilters:
    period: str
    start: dt.date  # inclusive
    end: dt.date  # inclusive
    serving: int | None = None
    requesting: int | None = None
    request_type: int | None = None
    priority: str = ""
    forced_serving: bool = False  # a department head's own department
    errors: tuple[str, ...] = ()

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> DashboardFilters:
        if self.period == "month":
            end = self.start - dt.timedelta(days=1)
            return replace(self, start=end.replace(day=1), end=end)
        if self.period == "quarter":
            end = self.start - dt.timedelta(days=1)
            return replace(self, start=dt.date(end.year, end.month - 2, 1), end=end)
        end = self.start - dt.timedelta(days=1)
        return replace(self, start=end - dt.timedelta(days=self.days - 1), end=end)

    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        """[start 00:00, the day after end 00:00) in the organization's timezone."""
        tz = timezone.get_current_timezone()
        return (
            dt.datetime.combine(self.start, dt.time.min, tzinfo=tz),
            dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time.min, tzinfo=tz),
        )

    def params(self, **extra: Any) -> dict[str, str]:
        """The query string that reproduces this view (plus ``extra``)."""
        params: dict[str, Any] = {"period": self.period}
        if self.period == "custom":
            params |= {"start": self.start.isoformat(), "end": self.end.isoformat()}
        for key in ("serving", "requesting", "request_type", "priority"):
            value = getattr(self, key)
            if value and not (key == "serving" and self.forced_serving):
                params[key] = value
        params |= {k: v for k, v in extra.items() if v not in (None, "")}
        return {k: str(v) for k, v in params.items()}

    def query(self, **extra: Any) -> str:
        return urlencode(self.params(**extra))

    def outcome_q(self) -> Q:
        q = Q()
        if self.serving:
            q &= Q(serving_department_id=self.serving)
        if self.requesting:
            q &= Q(requesting_department_id=self.requesting)
        if self.request_type:
            q &= Q(request_type_id=self.request_type)
        if self.priority:
            q &= Q(priority=self.priority)
        return q

    # Request has the same column names.
    request_q = outcome_q


def dashboard_scope(membership: Membership) -> int | None:
    """None: the whole organization; a department id: a head's own
    department only. Anyone else may not see the dashboard."""
    if membership.can("view_dashboard"):
        return None
    if membership.department_id and membership.can("manage_queue"):
        return membership.department_id
    raise PermissionDenied


def _period_range(period: str, today: dt.date) -> tuple[dt.date, dt.date]:
    if period == "week":
        start = today - dt.timedelta(days=today.weekday())
        return start, start + dt.timedelta(days=6)
    if period == "quarter":
        first_month = 3 * ((today.month - 1) // 3) + 1
        start = dt.date(today.year, first_month, 1)
        nxt = dt.date(
            today.year + (first_month == 10), 1 if first_month == 10 else first_month + 3, 1
        )
        return start, nxt - dt.timedelta(days=1)
    start = today.replace(day=1)
    nxt = dt.date(today.year + (today.month == 12), 1 if today.month == 12 else today.month + 1, 1)
    return start, nxt - dt.timedelta(days=1)


def _int(value: Any) -> int | None:
    try:
        number = int(str(value))
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None


def _date(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value))
    except (TypeError, ValueError):
        return None


def parse_filters(
    params: Mapping[str, Any], membership: Membership, *, today: dt.date | None = None
) -> DashboardFilters:
    """Filters from a query string. Bad values fall back to the default and
    are reported in ``errors`` (never a 500); a department or type id that
    is not the organization's is a 404, as anywhere else. One query checks
    the ids when any is given."""
    from django.utils.translation import gettext as _

    today = today or timezone.localdate()
    forced = dashboard_scope(membership)
    errors: list[str] = []
    period = params.get("period") or "month"
    if period not in PERIODS:
        errors.append(_("未知的时间范围，已显示本月。"))
        period = "month"
    start, end = _period_range("month" if period == "custom" else period, today)
    if period == "custom":
        custom_start, custom_end = _date(params.get("start")), _date(params.get("end"))
        if custom_start is None or custom_end is None:
            errors.append(_("请填写有效的开始和结束日期（YYYY-MM-DD），已显示本月。"))
            period = "month"
        elif custom_end < custom_start:
            errors.append(_("结束日期不能早于开始日期，已显示本月。"))
            period = "month"
        elif (custom_end - custom_start).days > 3 * 366:
            errors.append(_("自定义范围最长三年，已显示本月。"))
            period = "month"
        else:
            start, end = custom_start, custom_end
    serving = forced or _int(params.get("serving"))
    requesting = _int(params.get("requesting"))
    request_type = _int(params.get("request_type"))
    priority = params.get("priority") or ""
    if priority not in Priority.values:
        if priority:
            errors.append(_("未知的优先级，已忽略。"))
        priority = ""
    department_ids = {i for i in (serving, requesting) if i and i != forced}
    if department_ids and Department.objects.filter(pk__in=department_ids).count() != len(
        department_ids
    ):
        raise Http404
    if request_type and not RequestType.objects.filter(pk=request_type).exists():
        raise Http404
    return DashboardFilters(
        period=period,
        start=start,
        end=end,
        serving=serving,
        requesting=requesting,
        request_type=request_type,
        priority=priority,
        forced_serving=forced is not None,
        errors=tuple(errors),
    )


# ---------------------------------------------------------------- figures


@dataclass
class KindFigures:
    kind: str
    decided: int = 0
    met: int = 0
    breached: int = 0
    prev_decided: int = 0
    prev_met: int = 0
    p50_minutes: float | None = None
    p90_minutes: float | None = None
    stopped: int = 0

    @property
    def attainment(self) -> float | None:
        return self.met / self.decided if self.decided else None

    @property
    def prev_attainment(self) -> float | None:
        return self.prev_met / self.prev_decided if self.prev_decided else None

    @property
    def change(self) -> float | None:
        if self.attainment is None or self.prev_attainment is None:
            return None
        return self.attainment - self.prev_attainment


@dataclass
class TrendWeek:
    week: dt.date
    filed: int = 0
    response_decided: int = 0
    response_met: int = 0
    resolution_decided: int = 0
    resolution_met: int = 0

    def attainment(self, kind: str) -> float | None:
        decided = getattr(self, f"{kind}_decided")
        return getattr(self, f"{kind}_met") / decided if decided else None


@dataclass
class MatrixCell:
    requesting: int | None
    serving: int
    decided: int
    met: int
    breached: int
    late_minutes: int  # business minutes past due, summed over breaches that ended
    late_count: int

    @property
    def attainment(self) -> float | None:
        return self.met / self.decided if self.decided else None

    @property
    def mean_late_minutes(self) -> float | None:
        return self.late_minutes / self.late_count if self.late_count else None


@dataclass
class Dashboard:
    filters: DashboardFilters
    previous: DashboardFilters
    as_of: dt.datetime
    kinds: dict[str, KindFigures]
    trend: list[TrendWeek]
    matrix_rows: list[Department | None]
    matrix_columns: list[Department]
    matrix: dict[tuple[int | None, int], MatrixCell]
    backlog: dict[str, int]
    open_total: int
    open_at_risk: int
    open_breached: int
    live: list[Request]
    departments: dict[int, Department] = field(default_factory=dict)
    scorecards: Any = None


def _window(filters: DashboardFilters, prefix: str, lo: dt.datetime, hi: dt.datetime) -> Q:
    return Q(**{f"{prefix}__gte": lo, f"{prefix}__lt": hi})


def _summary(filters: DashboardFilters) -> dict[str, KindFigures]:
    lo, hi = filters.bounds()
    plo, phi = filters.previous().bounds()
    current = _window(filters, "decided_at", lo, hi)
    previous = _window(filters, "decided_at", plo, phi)
    stopped = _window(filters, "stopped_at", lo, hi)
    rows = (
        SlaOutcome.objects.filter(filters.outcome_q(), kind__in=KINDS)
        .filter(current | previous | stopped)
        .values("kind")
        .annotate(
            n_decided=Count("pk", filter=current),
            n_met=Count("pk", filter=current & Q(met=True)),
            n_breached=Count("pk", filter=current & Q(breached=True)),
            n_prev_decided=Count("pk", filter=previous),
            n_prev_met=Count("pk", filter=previous & Q(met=True)),
            n_stopped=Count("pk", filter=stopped),
            n_p50_minutes=PercentileCont("elapsed_minutes", 0.5, filter=stopped),
            n_p90_minutes=PercentileCont("elapsed_minutes", 0.9, filter=stopped),
        )
        .order_by()
    )
    figures = {str(k): KindFigures(kind=str(k)) for k in KINDS}
    for row in rows:
        kind = row.pop("kind")
        figures[kind] = KindFigures(kind=kind, **{k[2:]: v for k, v in row.items()})
    return figures


def trend_range(filters: DashboardFilters) -> tuple[dt.date, dt.date]:
    """Whole weeks (Monday first) covering the period, at least 12 of them
    ending with the period's last week."""
    end = min(filters.end, timezone.localdate())  # no empty future weeks
    last_monday = end - dt.timedelta(days=end.weekday())
    first_monday = filters.start - dt.timedelta(days=filters.start.weekday())
    weeks = max(TREND_MIN_WEEKS, (last_monday - first_monday).days // 7 + 1)
    weeks = min(weeks, TREND_MAX_WEEKS)
    return last_monday - dt.timedelta(weeks=weeks - 1), last_monday + dt.timedelta(days=6)


def _trend(filters: DashboardFilters) -> list[TrendWeek]:
    tz = timezone.get_current_timezone()
    first, last = trend_range(filters)
    lo, hi = replace(filters, start=first, end=last).bounds()
    weeks = {
        first + dt.timedelta(weeks=i): TrendWeek(first + dt.timedelta(weeks=i))
        for i in range((last - first).days // 7 + 1)
    }
    outcomes = (
        SlaOutcome.objects.filter(
            filters.outcome_q(), kind__in=KINDS, decided_at__gte=lo, decided_at__lt=hi
        )
        .annotate(week=TruncWeek("decided_at", tzinfo=tz))
        .values("week", "kind")
        .annotate(n_decided=Count("pk"), n_met=Count("pk", filter=Q(met=True)))
        .order_by()
    )
    for row in outcomes:
        week = weeks.get(_as_date(row["week"]))
        if week is not None:
            setattr(week, f"{row['kind']}_decided", row["n_decided"])
            setattr(week, f"{row['kind']}_met", row["n_met"])
    filed = (
        Request.objects.filter(filters.request_q(), created_at__gte=lo, created_at__lt=hi)
        .annotate(week=TruncWeek("created_at", tzinfo=tz))
        .values("week")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in filed:
        week = weeks.get(_as_date(row["week"]))
        if week is not None:
            week.filed = row["n"]
    return list(weeks.values())


def _as_date(value: dt.date | dt.datetime) -> dt.date:
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def _matrix(filters: DashboardFilters) -> dict[tuple[int | None, int], MatrixCell]:
    lo, hi = filters.bounds()
    rows = (
        SlaOutcome.objects.filter(
            filters.outcome_q(), kind__in=KINDS, decided_at__gte=lo, decided_at__lt=hi
        )
        .values("requesting_department_id", "serving_department_id")
        .annotate(
            n_decided=Count("pk"),
            n_met=Count("pk", filter=Q(met=True)),
            n_breached=Count("pk", filter=Q(breached=True)),
            late=Sum("late_minutes", filter=Q(breached=True, stopped_at__isnull=False), default=0),
            late_count=Count("pk", filter=Q(breached=True, stopped_at__isnull=False)),
        )
        .order_by()
    )
    return {
        (r["requesting_department_id"], r["serving_department_id"]): MatrixCell(
            r["requesting_department_id"],
            r["serving_department_id"],
            r["n_decided"],
            r["n_met"],
            r["n_breached"],
            r["late"],
            r["late_count"],
        )
        for r in rows
    }


def _open_requests(filters: DashboardFilters) -> QuerySet[Request]:
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


def _backlog(filters: DashboardFilters, now: dt.datetime) -> dict[str, int]:
    aggregates = {key: Count("pk", filter=age_q(key, now)) for key, _, _ in AGE_BUCKETS}
    aggregates |= {
        "total": Count("pk"),
        "at_risk": Count("pk", filter=urgent_q(now) & ~breached_q(now)),
        "breached": Count("pk", filter=breached_q(now)),
    }
    return _open_requests(filters).aggregate(**aggregates)


def _live(filters: DashboardFilters, now: dt.datetime) -> list[Request]:
    return list(
        _open_requests(filters)
        .filter(urgent_q(now))
        .select_related(*REQUEST_RELATED)
        .order_by("sla_due_at", "created_at", "id")[:LIVE_LIMIT]
    )


def scorecards_for(filters: DashboardFilters) -> Any:
    """The escalation work's department scorecards (``selectors_kpi``) for
    the period: attainment of the requests filed in it, subjective delays vs
    objective resource limits, and their action items open/done. Their
    definitions are that page's (by filing cohort), shown with the table."""
    try:
        from .selectors_kpi import Period, department_kpis
    except ImportError:  # the escalation work is not in this tree
        return None
    period = Period(filters.start, filters.end + dt.timedelta(days=1))
    rows = department_kpis(period, department_ids=[filters.serving] if filters.serving else None)
    for row in rows:
        actions = [a for item in row.objective_items for a in getattr(item, "action_list", [])]
        row.actions_done = sum(1 for a in actions if a.done_at is not None)
        row.actions_open = len(actions) - row.actions_done
    return rows


def dashboard(filters: DashboardFilters, *, now: dt.datetime | None = None) -> Dashboard:
    """Everything the page shows, in a fixed number of queries."""
    now = now or timezone.now()
    kinds = _summary(filters)
    trend = _trend(filters)
    matrix = _matrix(filters)
    backlog = _backlog(filters, now)
    live = _live(filters, now)
    departments = {d.pk: d for d in Department.objects.order_by("sort_order", "code")}
    rows = sorted(
        {r for r, _ in matrix},
        key=lambda i: (i is None, departments[i].sort_order if i in departments else 0),
    )
    columns = sorted(
        {s for _, s in matrix}, key=lambda i: departments[i].sort_order if i in departments else 0
    )
    return Dashboard(
        filters=filters,
        previous=filters.previous(),
        as_of=now,
        kinds=kinds,
        trend=trend,
        matrix_rows=[departments.get(r) if r else None for r in rows],
        matrix_columns=[departments[c] for c in columns if c in departments],
        matrix=matrix,
        backlog={key: backlog[key] for key, _, _ in AGE_BUCKETS},
        open_total=backlog["total"],
        open_at_risk=backlog["at_risk"],
        open_breached=backlog["breached"],
        live=live,
        departments=departments,
        scorecards=scorecards_for(filters),
    )


# ---------------------------------------------------------------- drill-down

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
        qs = base.filter(filters.request_q(), status__in=OPEN_STATUSES)
        if bucket == "at_risk":
            qs = qs.filter(urgent_q(now) & ~breached_q(now))
        elif bucket == "breached_open":
            qs = qs.filter(breached_q(now))
        elif bucket.startswith("age_"):
            qs = qs.filter(age_q(bucket[4:], now))
        return qs.order_by("sla_due_at", "created_at", "id")
    if bucket in ("filed", "week"):
        week = _date(params.get("week"))
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
                requesting_department_id=_int(requesting)
                if requesting not in ("", "none", None)
                else None
            )
            if requesting != "none"
            else outcomes.filter(requesting_department_id__isnull=True)
        )
        outcomes = outcomes.filter(serving_department_id=_int(params.get("to")))
    return base.filter(pk__in=outcomes.values("request_id")).order_by("-created_at", "-id")
