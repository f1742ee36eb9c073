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
  filter dimension, kept by triggers; see ``reporting.models``) with
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
* Department scorecards (``meetings.kpis.department_kpis``, the meetings'
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
from dataclasses import dataclass, field, replace
from typing import Any

from django.db import connection
from django.db.models import (
    Aggregate,
    CharField,
    Count,
    F,
    IntegerField,
    Q,
    Sum,
    Value,
)
from django.utils import timezone

from departments.models import Department, Membership
from requests_sla.meetings.kpis import Period, department_kpis
from requests_sla.meetings.models import AgendaItem
from requests_sla.meetings.selectors import meetings_visible_to
from requests_sla.reporting.backlog import AGE_BUCKETS, backlog_counts, live_requests
from requests_sla.reporting.filters import KINDS, DashboardFilters
from requests_sla.reporting.models import RequestDay, SlaOutcomeDay, SlaStoppedMonth
from requests_sla.reporting.sql import PercentileCont, WeeksSince, placeholders, rows_in_scope
from requests_sla.requests.models import Request
from requests_sla.sla.models import SlaOutcome

TREND_MIN_WEEKS = 12
TREND_MAX_WEEKS = 106
MEETINGS_LIMIT = 20


# ---------------------------------------------------------------- filters


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
    rows = rows_in_scope(
        f"SELECT day >= %s, kind, requesting_department_id, serving_department_id, "  # noqa: S608
        "SUM(decided), SUM(met), SUM(breached), CAST(SUM(late_minutes) AS BIGINT), SUM(late_count) "
        f"FROM {SlaOutcomeDay._meta.db_table} WHERE organization_id = %s "
        f"AND {_grain_sql(filters)}{where} AND day >= %s AND day <= %s "
        f"AND kind IN ({placeholders(KINDS)}) GROUP BY 1, 2, 3, 4",
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

    An unfiltered view reads them from histograms (see
    ``_stopped_from_histogram``). A view filtered by a dimension takes the
    exact ``percentile_cont`` over an index-only range scan of
    ``sla_outcome_stopped_idx`` (or ``…_dept_idx`` for one department); both
    fractions of a kind share one sort."""
    if not filters.outcome_q():
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


def scorecards_for(filters: DashboardFilters) -> Any:
    """The department scorecards (``meetings.kpis``) for
    the period: attainment of the requests filed in it, subjective delays vs
    objective resource limits, and their action items open/done. Their
    definitions are that page's (by filing cohort), shown with the table.

    Not part of ``dashboard()``: ``department_kpis`` joins the period's
    requests to their timers (a second of work at a million requests), so
    the page loads this section by itself when it is scrolled into view."""
    period = Period(filters.start, filters.end + dt.timedelta(days=1))
    rows = department_kpis(period, department_ids=[filters.serving] if filters.serving else None)
    for row in rows:
        actions = [a for item in row.objective_items for a in getattr(item, "action_list", [])]
        row.actions_done = sum(1 for a in actions if a.done_at is not None)
        row.actions_open = len(actions) - row.actions_done
    return rows


def meetings_for(filters: DashboardFilters, membership: Membership) -> list:
    """Review meetings scheduled in the period that ``membership`` may see
    (``meetings.selectors.meetings_visible_to``), with their agenda item
    counts, earliest first; narrowed to meetings discussing the serving
    department when one is chosen. One query."""
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
    backlog = backlog_counts(filters, now)
    departments = {d.pk: d for d in Department.objects.order_by("sort_order", "code")}
    live = live_requests(filters, now, departments)
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
