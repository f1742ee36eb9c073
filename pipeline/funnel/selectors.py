"""The funnel report: what entered each stage in a period, what converted, the
median days in stage (``medians``), the bottleneck and the forecast.

Computed by the database in a fixed number of queries, whatever the number
of rows (tests lock the counts), from the rollups (``rollups``) and the deals.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import (
    Count,
    DateField,
    F,
    Func,
    Q,
    Subquery,
    Sum,
)
from django.utils import timezone

from collab import tenancy
from departments.models import Membership
from pipeline.funnel import medians as funnel_medians
from pipeline.funnel.filters import FunnelFilters
from pipeline.opportunities.models import Opportunity, Stage
from pipeline.periods import period_bounds
from pipeline.rollups import services
from pipeline.rollups.models import FunnelEntryDay

# --- visibility -----------------------------------------------------------------------------


# --- the funnel -----------------------------------------------------------------------------


@dataclass
class StageFigures:
    stage: Stage
    entered: int = 0
    entered_amount: Decimal = Decimal("0")
    converted: int = 0
    conversion: float | None = None  # share of ``entered`` that reached a later stage
    median_days: float | None = None
    stays: int = 0
    prev_entered: int = 0
    prev_conversion: float | None = None
    prev_median_days: float | None = None
    is_bottleneck: bool = False
    has_next: bool = True


@dataclass
class ForecastMonth:
    month: dt.date
    count: int
    amount: Decimal
    weighted: Decimal


@dataclass
class FunnelReport:
    filters: FunnelFilters
    previous: FunnelFilters
    as_of: dt.datetime
    stages: list[StageFigures]
    lost: int
    lost_amount: Decimal
    open_count: int
    open_amount: Decimal
    weighted_pipeline: Decimal
    forecast: list[ForecastMonth]
    bottleneck: StageFigures | None = None
    bottleneck_reason: dict = field(default_factory=dict)


def _opportunity_filter(filters: FunnelFilters, prefix: str = "") -> Q:
    q = Q(**{f"{prefix}currency": filters.currency})
    if filters.owner_id:
        q &= Q(**{f"{prefix}owner_id": filters.owner_id})
    if filters.department_id:
        team = Membership.objects.filter(department_id=filters.department_id).values("user_id")
        q &= Q(**{f"{prefix}owner_id__in": Subquery(team)})
    if filters.industry:
        q &= Q(**{f"{prefix}account__industry": filters.industry})
    return q


def _rollup_filter(filters: FunnelFilters) -> Q:
    """Rollup rows for the filters: the totals (null owner and industry) when
    nothing narrows the report, else the per-owner-and-industry rows."""
    q = Q(currency=filters.currency)
    if not (filters.owner_id or filters.department_id or filters.industry):
        return q & Q(owner_id__isnull=True)
    q &= Q(owner_id__isnull=False)
    if filters.owner_id:
        q &= Q(owner_id=filters.owner_id)
    if filters.department_id:
        team = Membership.objects.filter(department_id=filters.department_id).values("user_id")
        q &= Q(owner_id__in=Subquery(team))
    if filters.industry:
        q &= Q(industry=filters.industry)
    return q


def funnel_report(filters: FunnelFilters, *, now: dt.datetime | None = None) -> FunnelReport:
    """The funnel for a period, compared with the previous period of equal length.

    Definitions (also printed on the report page):

    - *Entered stage S in the period*: the deal's furthest stage rose to S or
      beyond by a move in the period (``from_level < S.order <= to_level``).
      Skipped stages count as passed through; moving back and forth never
      enters a stage twice; lost is not a funnel stage.
    - *Conversion of S*: of the deals that entered S in the period, the share
      that also entered the next stage by the end of the period.
    - *Median days in S*: the median length of stays in S that ended in the
      period or were still open at its end (counted up to the end, or now).
    - *Weighted pipeline*: today's open deals, Σ amount × probability.

    Five queries: session settings, stages, entries/conversions (both
    periods), dwell (both periods), open pipeline by expected close month.
    """
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        # Reports scan hundreds of thousands of moves: JIT compilation costs
        # more than it saves at this size, and the medians' sort should stay in
        # memory. SET LOCAL ends with this transaction.
        cursor.execute("SET LOCAL jit = off; SET LOCAL work_mem = '64MB'")
        return _funnel_report(filters, now=now or timezone.now())


class _Month(Func):
    """The first day of a date's month, as a date: ``TruncMonth`` on a date
    goes through ``timestamptz`` and the session's time zone, three times the
    cost over the open pipeline."""

    template = "DATE_TRUNC('month', %(expressions)s::timestamp)::date"
    output_field = DateField()


def _funnel_report(filters: FunnelFilters, *, now: dt.datetime) -> FunnelReport:
    # The rollups count days in the organization's time zone: so do the
    # periods (the middleware makes it the current one for requests anyway).
    stages = list(Stage.objects.annotate(zone=F("organization__timezone")).order_by("order"))
    tz = (
        zoneinfo.ZoneInfo(services.funnel_zone_name(stages[0].zone))
        if stages
        else timezone.get_current_timezone()
    )
    previous = filters.previous()
    cur_lo, cur_hi = period_bounds(filters.start, filters.end, tz)
    prev_lo, prev_hi = period_bounds(previous.start, previous.end, tz)
    cur_as_of, prev_as_of = min(cur_hi, now), min(prev_hi, now)
    open_ids = [s.pk for s in stages if not s.is_closed]

    entries = _entries(filters, previous, lost_ids={s.pk for s in stages if s.is_lost})
    # 3. Median dwell per open stage, both periods (one statement, see _MEDIAN_SQL).
    medians = funnel_medians.medians(
        filters,
        tenancy.require_organization_id(),
        tz,
        open_ids,
        [(cur_lo, cur_as_of), (prev_lo, prev_as_of)],
    )
    dwell = {
        stage_id: {
            "cur": medians.get((0, stage_id), (0, None))[1],
            "cur_n": medians.get((0, stage_id), (0, None))[0],
            "prev": medians.get((1, stage_id), (0, None))[1],
        }
        for stage_id in open_ids
    }
    forecast = _forecast(filters, open_ids)
    report = FunnelReport(
        filters=filters,
        previous=previous,
        as_of=cur_as_of,
        stages=_stage_figures([s for s in stages if not s.is_lost], entries, dwell),
        lost=entries.lost,
        lost_amount=entries.lost_amount,
        open_count=sum(m.count for m in forecast),
        open_amount=sum((m.amount for m in forecast), Decimal("0")),
        weighted_pipeline=sum((m.weighted for m in forecast), Decimal("0")),
        forecast=forecast,
    )
    _mark_bottleneck(report)
    return report


@dataclass
class _Entries:
    """Entries, their amounts and conversions per stage id, of the period
    (``True``) and the previous one (``False``); the period's lost deals."""

    entered: dict[bool, defaultdict[int, int]]
    entered_amount: dict[bool, defaultdict[int, Decimal]]
    converted: dict[bool, defaultdict[int, int]]
    lost: int = 0
    lost_amount: Decimal = Decimal("0")


def _entries(filters: FunnelFilters, previous: FunnelFilters, *, lost_ids: set[int]) -> _Entries:
    """2. Entries, conversions and lost deals of both periods, from the daily
    rollup: a deal entered S in a period when its S-entry day is in it, and
    converted when its next-stage entry day is in it too."""
    cur, prev = Q(day__gte=filters.start), Q(day__lte=previous.end)
    rows = (
        FunnelEntryDay.objects.filter(
            _rollup_filter(filters), day__gte=previous.start, day__lte=filters.end
        )
        .values("stage_id")
        .annotate(
            cur_n=Sum("n", filter=cur),
            cur_total=Sum("amount", filter=cur),
            cur_conv=Sum("n", filter=cur & Q(next_day__lte=filters.end)),
            prev_n=Sum("n", filter=prev),
            prev_conv=Sum("n", filter=prev & Q(next_day__lte=previous.end)),
        )
        .order_by()
    )
    got = _Entries(
        entered={True: defaultdict(int), False: defaultdict(int)},
        entered_amount={True: defaultdict(Decimal), False: defaultdict(Decimal)},
        converted={True: defaultdict(int), False: defaultdict(int)},
    )
    for row in rows:
        stage_id = row["stage_id"]
        if stage_id in lost_ids:
            got.lost += row["cur_n"] or 0
            got.lost_amount += row["cur_total"] or Decimal("0")
            continue
        got.entered[True][stage_id] = row["cur_n"] or 0
        got.entered_amount[True][stage_id] = row["cur_total"] or Decimal("0")
        got.converted[True][stage_id] = row["cur_conv"] or 0
        got.entered[False][stage_id] = row["prev_n"] or 0
        got.converted[False][stage_id] = row["prev_conv"] or 0
    return got


def _forecast(filters: FunnelFilters, open_ids: list[int]) -> list[ForecastMonth]:
    """4. Today's open pipeline by expected close month (an index-only scan:
    opp_org_stage_close_idx). Grouped by probability too, so the database
    only adds amounts; the weighted sums are exact Decimals here."""
    months = (
        Opportunity.objects.filter(_opportunity_filter(filters), stage_id__in=open_ids)
        .annotate(month=_Month("expected_close_date"))
        .values("month", "probability")
        .annotate(n=Count("*"), total=Sum("amount"))
        .order_by("month")
    )
    by_month: dict[dt.date, ForecastMonth] = {}
    for m in months:
        month = by_month.setdefault(
            m["month"], ForecastMonth(m["month"], 0, Decimal("0"), Decimal("0"))
        )
        month.count += m["n"]
        month.amount += m["total"]
        month.weighted += m["total"] * m["probability"] / 100
    return list(by_month.values())


def _stage_figures(
    progress: list[Stage], entries: _Entries, dwell: dict[int, dict[str, Any]]
) -> list[StageFigures]:
    """Each funnel stage's figures (lost is not a funnel stage)."""
    entered, converted = entries.entered, entries.converted
    figures = []
    for i, stage in enumerate(progress):
        has_next = i + 1 < len(progress)
        row = dwell.get(stage.pk, {})
        fig = StageFigures(
            stage=stage,
            entered=entered[True][stage.pk],
            entered_amount=entries.entered_amount[True][stage.pk],
            prev_entered=entered[False][stage.pk],
            has_next=has_next,
            median_days=row.get("cur"),
            prev_median_days=row.get("prev"),
            stays=row.get("cur_n", 0),
        )
        if has_next:
            fig.converted = converted[True][stage.pk]
            fig.conversion = fig.converted / fig.entered if fig.entered else None
            prev_v = converted[False][stage.pk]
            fig.prev_conversion = prev_v / fig.prev_entered if fig.prev_entered else None
        figures.append(fig)
    return figures


def _mark_bottleneck(report: FunnelReport) -> None:
    """The bottleneck: the stage that got worst against the previous period.

    For each stage with a next stage, deterioration is the larger of the
    relative fall in conversion (1 − now/before) and the relative growth of
    the median stay (now/before − 1). The stage with the largest positive
    deterioration is the bottleneck. With no previous period to compare
    with, it is the stage with the lowest conversion (then the longest stay).
    """
    candidates = [f for f in report.stages if f.has_next and f.entered]
    if not candidates:
        return
    scored = []
    for f in candidates:
        signals = []
        if f.conversion is not None and f.prev_conversion:
            signals.append(1 - f.conversion / f.prev_conversion)
        if f.median_days is not None and f.prev_median_days:
            signals.append(f.median_days / f.prev_median_days - 1)
        if signals:
            scored.append((max(signals), f))
    scored = [(score, f) for score, f in scored if score > 0]
    if scored:
        chosen = max(scored, key=lambda pair: pair[0])[1]
    else:
        chosen = min(
            candidates,
            key=lambda f: (f.conversion if f.conversion is not None else 1, -(f.median_days or 0)),
        )
    chosen.is_bottleneck = True
    report.bottleneck = chosen


# --- leads and feedback reports -------------------------------------------------------------
