"""Reads of the ops manager's SLA dashboard (issue 5).

The formula, shown on the page: attainment = timers met ÷ timers decided in
the period, where a timer is *decided* when it breached (even if it was
stopped later) or, if it never breached, when it was met (response on the
first answer, resolution on the resolve; a reopened request's resolution
timer is decided again when it is resolved again). Timers stopped on time by
a cancel, reject or transfer are left out. Times to first response and to
resolution are business minutes (pauses excluded) of the timers *stopped* in
the period.

Where each figure comes from (1,000,000 requests, 2,000,000 outcomes; see
bench/dashboard.py), in a fixed number of queries whatever the data:

* Attainment, its previous period and the department matrix: ONE range read
  of ``SlaOutcomeDay`` (outcomes counted per organization-local day and per
  filter dimension, kept by triggers; see ``models_dashboard``) with
  ``FILTER`` sums for the two adjacent periods. Periods and trend weeks are
  whole local days, so sums of days are exact. The rollup has two grains:
  coarse rows (department pair only) answer unfiltered and department views,
  fine rows (type and priority too) views filtered by type or priority.
  Scanning the outcomes themselves instead took 0.3–0.5 s a view (a month is
  ~70,000 outcomes, with the previous one ~155,000; 12 trend weeks ~220,000).
* Weekly trend: one read of the daily rollups (``SlaOutcomeDay`` and
  ``RequestDay`` under UNION ALL), grouped by ``date_trunc('week', day)``:
  at most ~2 × 742 coarse rows for the longest range. The unfiltered view's
  rollup reads are index-only (``…_coarse_idx``).
* Median / P90 business minutes of an unfiltered view: ``SlaStoppedMonth``
  (stopped timers per organization-local month, kind and business minute)
  for the period's whole months plus the outcomes of its other days
  counted per minute, one query of a few thousand rows; ``percentile_cont``
  of that histogram is computed in Python exactly as PostgreSQL does. A view
  filtered by a dimension takes the exact ``percentile_cont`` over the
  stopped outcomes of the period (an index-only range scan of the covering
  partial ``sla_outcome_stopped_idx``, or ``sla_outcome_stopped_dept_idx``
  when one serving department is chosen); the two fractions of a kind share
  one sort. That read grows with the period's volume (a month ≈ 70,000
  index entries, ~15 ms; the histogram ~1 ms).
* Backlog by age and the live at-risk/breached list: the open requests only,
  through the partial covering ``request_open_due_idx`` (organization,
  sla_due_at, created_at, id) WHERE open, which also yields the live list in
  its order (``request_open_queue_idx`` serves a department's view).
* Department scorecards (``selectors_kpi.department_kpis``, the escalation
  work's, by filing cohort) join the period's requests to their timers —
  about a second at this scale — so they are not part of ``dashboard()``:
  the page fetches them with htmx when the section scrolls into view
  (``/dashboard/scorecards/``, timed on its own by the benchmark).

What the benchmark's ``dashboard_sql_floor_ms`` measures: the cheapest bare
SQL computing the response attainment of the same window and filters from
``SlaOutcome`` (the per-timer summary), i.e. what one aggregate over the
data costs with nothing else around it; the page is compared with it.
``raw_timers_sql_ms`` is the same figure from the raw timers and requests.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import (
    Aggregate,
    CharField,
    Count,
    F,
    FloatField,
    Func,
    IntegerField,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.http import Http404
from django.utils import timezone

from collab.tenancy import require_organization_id
from departments.models import Department, Membership
from requests_sla.catalog.models import Priority, RequestType
from requests_sla.reporting.models import RequestDay, SlaOutcomeDay, SlaStoppedMonth
from requests_sla.requests.models import OPEN_STATUSES, Request
from requests_sla.requests.selectors import REQUEST_RELATED
from requests_sla.sla.models import SlaOutcome, SlaState, TimerKind

PERIODS = ("week", "month", "quarter", "custom")
KINDS = (TimerKind.RESPONSE, TimerKind.RESOLUTION)
TREND_MIN_WEEKS = 12
TREND_MAX_WEEKS = 106
LIVE_LIMIT = 30
MEETINGS_LIMIT = 20
# Backlog age buckets: (key, lower bound in days inclusive, upper exclusive).
AGE_BUCKETS = (
    ("d0", 0, 1),
    ("d1", 1, 3),
    ("d3", 3, 7),
    ("d7", 7, 14),
    ("d14", 14, 30),
    ("d30", 30, None),
)


class WeeksSince(Func):
    """Whole weeks from the second date to the first: ``(day - first) / 7``
    on PostgreSQL (date minus date is days), by Julian day numbers on the
    SQLite dev default."""

    template = "((%(expressions)s) / 7)"
    arg_joiner = " - "
    output_field = IntegerField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler,
            connection,
            template="CAST((julianday(%(expressions)s)) / 7 AS INTEGER)",
            arg_joiner=") - julianday(",
            **extra_context,
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

    def where_sql(self) -> tuple[str, list[Any]]:
        """``outcome_q`` for the raw reads below: `` AND column = %s`` per
        filter set, and its parameters."""
        columns = (
            ("serving_department_id", self.serving),
            ("requesting_department_id", self.requesting),
            ("request_type_id", self.request_type),
            ("priority", self.priority),
        )
        chosen = [(column, value) for column, value in columns if value]
        return "".join(f" AND {c} = %s" for c, _ in chosen), [v for _, v in chosen]


def _rows(sql: str, params: list[Any], *, first: list[Any] = ()) -> list[tuple]:
    """A raw read in the organization in scope. The dashboard's hottest
    reads are written as SQL: building them through the ORM took longer than
    PostgreSQL took to run them (issue #5: at most 3× the SQL floor). Each
    one names ``organization_id = %s`` itself, filled from the scope, which
    fails closed when there is none; ``first`` are the parameters of the
    select list, which come before it."""
    with connection.cursor() as cursor:
        cursor.execute(sql, [*first, require_organization_id(), *params])
        return cursor.fetchall()


def _placeholders(values) -> str:
    return ", ".join(["%s"] * len(values))


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


def _rollup_q(filters: DashboardFilters) -> Q:
    """The rollup grain that answers these filters (see ``SlaOutcomeDay``)."""
    return Q(fine=bool(filters.request_type or filters.priority)) & filters.outcome_q()


def _grain_sql(filters: DashboardFilters) -> str:
    # Written as the ORM writes it, so the coarse rows' partial indexes
    # (WHERE NOT fine) match.
    return "fine" if filters.request_type or filters.priority else "NOT fine"


def _decided(
    filters: DashboardFilters,
) -> tuple[dict[str, KindFigures], dict[tuple[int | None, int], MatrixCell]]:
    """Attainment of the period and of the previous one (they are adjacent)
    and the department matrix: one range read of the daily rollup, grouped
    by period too."""
    previous = filters.previous()  # it ends the day before the period starts
    where, params = filters.where_sql()
    day = connection.ops.adapt_datefield_value  # as the database stores days
    rows = _rows(
        f"SELECT day >= %s, kind, requesting_department_id, serving_department_id, "  # noqa: S608
        "SUM(decided), SUM(met), SUM(breached), CAST(SUM(late_minutes) AS BIGINT), SUM(late_count) "
        f"FROM {SlaOutcomeDay._meta.db_table} WHERE organization_id = %s "
        f"AND {_grain_sql(filters)}{where} AND day >= %s AND day <= %s "
        f"AND kind IN ({_placeholders(KINDS)}) GROUP BY 1, 2, 3, 4",
        [*params, day(previous.start), day(filters.end), *KINDS],
        first=[day(filters.start)],
    )
    figures = {str(k): KindFigures(kind=str(k)) for k in KINDS}
    matrix: dict[tuple[int | None, int], MatrixCell] = {}
    for current, kind, requesting, serving, decided, met, breached, late, late_count in rows:
        figure = figures[kind]
        if not current:
            figure.prev_decided += decided
            figure.prev_met += met
            continue
        figure.decided += decided
        figure.met += met
        figure.breached += breached
        if not decided:
            continue
        key = (requesting or None, serving)
        cell = matrix.setdefault(key, MatrixCell(*key, 0, 0, 0, 0, 0))
        cell.decided += decided
        cell.met += met
        cell.breached += breached
        cell.late_minutes += late
        cell.late_count += late_count
    return figures, matrix


def _stopped(filters: DashboardFilters, figures: dict[str, KindFigures]) -> None:
    """Median and P90 business minutes of the timers stopped in the period.

    An unfiltered view on PostgreSQL reads them from histograms (see
    ``_stopped_from_histogram``). A view filtered by a dimension takes the
    exact ``percentile_cont`` over an index-only range scan of
    ``sla_outcome_stopped_idx`` (or ``…_dept_idx`` for one department); both
    fractions of a kind share one sort."""
    if connection.vendor == "postgresql" and not filters.outcome_q():
        _stopped_from_histogram(filters, figures)
        return
    lo, hi = filters.bounds()
    aggregates: dict[str, Aggregate] = {}
    for kind in KINDS:
        only = Q(kind=kind)
        aggregates[f"{kind}_stopped"] = Count("elapsed_minutes", filter=only)  # in the index
        aggregates[f"{kind}_p50"] = PercentileCont("elapsed_minutes", 0.5, filter=only)
        aggregates[f"{kind}_p90"] = PercentileCont("elapsed_minutes", 0.9, filter=only)
    values = SlaOutcome.objects.filter(
        filters.outcome_q(), kind__in=KINDS, stopped_at__gte=lo, stopped_at__lt=hi
    ).aggregate(**aggregates)
    for kind in KINDS:
        figures[kind].stopped = values[f"{kind}_stopped"]
        figures[kind].p50_minutes = values[f"{kind}_p50"]
        figures[kind].p90_minutes = values[f"{kind}_p90"]


def _stopped_from_histogram(filters: DashboardFilters, figures: dict[str, KindFigures]) -> None:
    """The same figures from (kind, minutes) → count histograms, in one
    query: ``SlaStoppedMonth`` for the whole months of the period (~2,800
    rows a month instead of ~70,000 outcomes to sort) and the outcomes of
    the days outside whole months, counted per minute. Minutes are integers,
    so ``percentile_cont`` of the histogram is exactly the figure the
    outcomes give."""
    day = dt.timedelta(days=1)
    months = whole_months(filters.start, filters.end)
    edges = [(filters.start, filters.end)]
    parts = []
    if months:
        first, after = months
        edges = [(filters.start, first - day), (after, filters.end)]
        parts.append(
            SlaStoppedMonth.objects.filter(
                month__gte=first, month__lt=after, kind__in=KINDS, stopped__gt=0
            )
            .values_list("kind", "elapsed_minutes", "stopped")
            .order_by()
        )
    for start, end in edges:
        if start > end:
            continue
        lo, hi = replace(filters, start=start, end=end).bounds()
        parts.append(
            SlaOutcome.objects.filter(kind__in=KINDS, stopped_at__gte=lo, stopped_at__lt=hi)
            .values_list("kind", "elapsed_minutes")
            .annotate(n=Count("elapsed_minutes"))  # in the index
            .order_by()
        )
    counts: dict[str, dict[int, int]] = {kind: {} for kind in KINDS}
    for kind, minutes, n in parts[0].union(*parts[1:], all=True):
        counts[kind][minutes] = counts[kind].get(minutes, 0) + n
    for kind in KINDS:
        histogram = sorted(counts[kind].items())
        total = sum(n for _, n in histogram)
        figures[kind].stopped = total
        figures[kind].p50_minutes = percentile_cont(histogram, total, 0.5)
        figures[kind].p90_minutes = percentile_cont(histogram, total, 0.9)


def whole_months(start: dt.date, end: dt.date) -> tuple[dt.date, dt.date] | None:
    """[first day, first day after) of the calendar months lying wholly in
    [start, end], or None when there is none."""
    after_end = end + dt.timedelta(days=1)
    first = (
        start if start.day == 1 else (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    )
    after = after_end.replace(day=1)
    return (first, after) if first < after else None


def percentile_cont(histogram: list[tuple[int, int]], total: int, fraction: float) -> float | None:
    """PostgreSQL's ``percentile_cont(fraction)`` of the values a sorted
    (value, count) histogram holds, computed as PostgreSQL does (rows
    floor/ceil of fraction × (n − 1), then ``lo + p × (hi − lo)``), so the
    float is the same. None for no values, as SQL gives NULL."""
    if not total:
        return None
    position = fraction * (total - 1)
    first_row, second_row = math.floor(position), math.ceil(position)
    first = second = None
    seen = 0
    for value, count in histogram:
        seen += count
        if first is None and first_row < seen:
            first = value
        if second_row < seen:
            second = value
            break
    return float(first) + (position - first_row) * (float(second) - float(first))


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
    """Weekly attainment and volume from the daily rollups (local days, so
    a week is seven rows' sum), at most ~106 weeks × 2 kinds rows back."""
    first, last = trend_range(filters)
    weeks = [TrendWeek(first + dt.timedelta(weeks=i)) for i in range((last - first).days // 7 + 1)]
    # One read: the outcomes' weekly sums and, under kind "", the volume's.
    # Weeks are numbered from ``first`` (a Monday) by date arithmetic, which
    # PostgreSQL does in half the time of ``date_trunc('week', …)`` (that
    # one goes through a timestamptz per row).
    grain = _rollup_q(filters)
    week = WeeksSince(F("day"), Value(first))
    outcomes = (
        SlaOutcomeDay.objects.filter(grain, kind__in=KINDS, day__gte=first, day__lte=last)
        .annotate(week=week)
        .values_list("week", "kind")
        .annotate(n=Sum("decided"), n_met=Sum("met"))
        .order_by()
    )
    filed = (
        RequestDay.objects.filter(grain, day__gte=first, day__lte=last)
        .annotate(week=week, kind=Value("", output_field=CharField()))
        .values_list("week", "kind")
        .annotate(n=Sum("filed"), n_met=Value(0, output_field=IntegerField()))
        .order_by()
    )
    for index, kind, n, n_met in outcomes.union(filed, all=True):
        week = weeks[index]
        if kind:
            setattr(week, f"{kind}_decided", n)
            setattr(week, f"{kind}_met", n_met)
        else:
            week.filed = n
    return weeks


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
    """Open requests by age bucket (``age_q``) and urgency (``urgent_q``,
    ``breached_q``): one read grouped by both, at most 7 × 3 rows. (Nine
    ``COUNT … FILTER`` columns over the same rows took PostgreSQL twice as
    long to plan and half as long again to run.)"""
    # Filed "in the future": no bucket; then the youngest bucket first.
    # Instants go in as the database stores them (SQLite compares text).
    instant = connection.ops.adapt_datetimefield_value
    ages = [("", instant(now))] + [
        (key, instant(now - dt.timedelta(days=high)))
        for key, _low, high in AGE_BUCKETS
        if high is not None
    ]
    age = "CASE" + " WHEN created_at > %s THEN %s" * len(ages) + " ELSE %s END"
    urgency = (
        "CASE WHEN sla_state = %s OR sla_due_at <= %s THEN 'breached' "  # breached_q
        "WHEN sla_state IN (%s, %s) OR sla_due_at <= %s THEN 'at_risk' ELSE '' END"  # urgent_q
    )
    where, params = filters.where_sql()
    counts = {key: 0 for key, _, _ in AGE_BUCKETS} | {"total": 0, "at_risk": 0, "breached": 0}
    rows = _rows(
        f"SELECT {age}, {urgency}, COUNT(*) FROM {Request._meta.db_table} "  # noqa: S608
        f"WHERE organization_id = %s{where} AND status IN ({_placeholders(OPEN_STATUSES)}) "
        "GROUP BY 1, 2",
        [*params, *OPEN_STATUSES],
        first=[
            *(v for key, after in ages for v in (after, key)),
            AGE_BUCKETS[-1][0],
            SlaState.BREACHED,
            instant(now),
            SlaState.AT_RISK,
            SlaState.BREACHED,
            instant(now),
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


def _live(
    filters: DashboardFilters, now: dt.datetime, departments: dict[int, Department]
) -> list[Request]:
    live = list(
        _open_requests(filters)
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


def scorecards_available() -> bool:
    try:
        from requests_sla.meetings.kpis import department_kpis
    except ImportError:  # the escalation work is not in this tree
        return False
    return True


def scorecards_for(filters: DashboardFilters) -> Any:
    """The escalation work's department scorecards (``selectors_kpi``) for
    the period: attainment of the requests filed in it, subjective delays vs
    objective resource limits, and their action items open/done. Their
    definitions are that page's (by filing cohort), shown with the table.

    Not part of ``dashboard()``: ``department_kpis`` joins the period's
    requests to their timers (a second of work at a million requests), so
    the page loads this section by itself when it is scrolled into view."""
    if not scorecards_available():
        return None
    from requests_sla.meetings.kpis import Period, department_kpis

    period = Period(filters.start, filters.end + dt.timedelta(days=1))
    rows = department_kpis(period, department_ids=[filters.serving] if filters.serving else None)
    for row in rows:
        actions = [a for item in row.objective_items for a in getattr(item, "action_list", [])]
        row.actions_done = sum(1 for a in actions if a.done_at is not None)
        row.actions_open = len(actions) - row.actions_done
    return rows


def meetings_for(filters: DashboardFilters, membership: Membership) -> list | None:
    """Review meetings scheduled in the period that ``membership`` may see
    (the escalation work's rule), with their agenda item counts, earliest
    first; narrowed to meetings discussing the serving department when one
    is chosen. One query. None when the escalation work is not here."""
    try:
        from requests_sla.meetings.models import AgendaItem
        from requests_sla.meetings.selectors import meetings_visible_to
    except ImportError:
        return None
    lo, hi = filters.bounds()
    meetings = meetings_visible_to(membership).filter(scheduled_at__gte=lo, scheduled_at__lt=hi)
    if filters.serving:
        meetings = meetings.filter(
            pk__in=AgendaItem.objects.filter(department_id=filters.serving).values("meeting_id")
        )
    return list(meetings.order_by("scheduled_at", "pk")[:MEETINGS_LIMIT])


def dashboard(filters: DashboardFilters, *, now: dt.datetime | None = None) -> Dashboard:
    """Everything the page shows, in a fixed number of queries."""
    now = now or timezone.now()
    kinds, matrix = _decided(filters)
    _stopped(filters, kinds)
    trend = _trend(filters)
    backlog = _backlog(filters, now)
    departments = {d.pk: d for d in Department.objects.order_by("sort_order", "code")}
    live = _live(filters, now, departments)
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
