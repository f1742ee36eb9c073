"""Reads: visibility-scoped lists, the funnel, the leads and feedback reports.

Every report is computed by the database in a fixed number of queries,
whatever the number of rows (tests lock the counts).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import (
    Aggregate,
    Avg,
    Case,
    Count,
    DecimalField,
    F,
    FloatField,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from departments.models import Membership

from . import permissions
from .models import Account, FollowUp, Lead, LeadStatus, Opportunity, Stage, StageChange

# --- visibility -----------------------------------------------------------------------------


def accounts_visible_to(membership) -> QuerySet[Account]:
    qs = Account.objects.select_related("owner")
    if permissions.sees_all_customers(membership):
        return qs
    return qs.filter(owner_id=membership.user_id)


def opportunities_visible_to(membership) -> QuerySet[Opportunity]:
    qs = Opportunity.objects.select_related("account", "owner", "stage")
    if permissions.sees_all_customers(membership):
        return qs
    return qs.filter(owner_id=membership.user_id)


def leads_visible_to(membership) -> QuerySet[Lead]:
    """Customer Success and managers see every lead; a rep the leads on their accounts."""
    qs = Lead.objects.select_related("account", "account__owner", "created_by", "opportunity")
    if permissions.sees_all_customers(membership) or permissions.can_manage_leads(membership):
        return qs
    return qs.filter(account__owner_id=membership.user_id)


def follow_ups_visible_to(membership) -> QuerySet[FollowUp]:
    qs = FollowUp.objects.select_related("account", "by")
    if permissions.sees_all_customers(membership):
        return qs
    return qs.filter(account__owner_id=membership.user_id)


def account_detail(membership, pk: int) -> Account:
    """One visible account with everything its page shows, prefetched."""
    return (
        accounts_visible_to(membership)
        .prefetch_related(
            "contacts",
            Prefetch(
                "opportunities", queryset=Opportunity.objects.select_related("stage", "owner")
            ),
            Prefetch("follow_ups", queryset=FollowUp.objects.select_related("by")),
            Prefetch("leads", queryset=Lead.objects.select_related("created_by", "opportunity")),
        )
        .get(pk=pk)
    )


def stage_history(opportunity: Opportunity) -> QuerySet[StageChange]:
    return (
        StageChange.objects.filter(opportunity=opportunity)
        .select_related("from_stage", "to_stage", "changed_by")
        .order_by("changed_at", "id")
    )


def sellers() -> QuerySet[Membership]:
    """Members who can own accounts and deals (reps and the people who manage them)."""
    return (
        Membership.objects.filter(is_active=True)
        .select_related("user")
        .order_by("user__first_name", "user__username")
    )


# --- the funnel -----------------------------------------------------------------------------


class Median(Aggregate):
    """PostgreSQL's percentile_cont(0.5), usable with ``filter=``."""

    function = "percentile_cont"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


@dataclass(frozen=True)
class FunnelFilters:
    start: dt.date  # first day of the period, inclusive
    end: dt.date  # last day of the period, inclusive
    owner_id: int | None = None
    department_id: int | None = None  # the owner's department ("team")
    industry: str = ""
    currency: str = "CNY"

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> FunnelFilters:
        end = self.start - dt.timedelta(days=1)
        return FunnelFilters(
            start=end - dt.timedelta(days=self.days - 1),
            end=end,
            owner_id=self.owner_id,
            department_id=self.department_id,
            industry=self.industry,
            currency=self.currency,
        )


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


DEFAULT_PERIOD_DAYS = 90


def default_filters(today: dt.date | None = None, **kwargs) -> FunnelFilters:
    """The default view: the last 90 days, ending today."""
    today = today or timezone.localdate()
    return FunnelFilters(
        start=today - dt.timedelta(days=DEFAULT_PERIOD_DAYS - 1), end=today, **kwargs
    )


def _bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[start 00:00, day after end 00:00) in the current (organization's) timezone."""
    tz = timezone.get_current_timezone()
    lo = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    hi = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return lo, hi


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


def _change_filter(filters: FunnelFilters) -> Q:
    """Filters on moves: currency from the move itself, the rest via the deal."""
    q = Q(currency=filters.currency)
    if filters.owner_id or filters.department_id or filters.industry:
        q &= _opportunity_filter(
            FunnelFilters(
                start=filters.start,
                end=filters.end,
                owner_id=filters.owner_id,
                department_id=filters.department_id,
                industry=filters.industry,
                currency=filters.currency,
            ),
            "opportunity__",
        )
    return q


def _dwell_days(as_of: dt.datetime) -> RawSQL:
    # A stay still open at the period's end counts up to that end: deals that
    # sit in a stage are exactly what the dwell figure must not hide.
    return RawSQL(
        'EXTRACT(EPOCH FROM (LEAST(COALESCE("pipeline_stagechange"."left_at", %s), %s)'
        ' - "pipeline_stagechange"."changed_at")) / 86400.0',
        (as_of, as_of),
        output_field=FloatField(),
    )


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


def _funnel_report(filters: FunnelFilters, *, now: dt.datetime) -> FunnelReport:
    previous = filters.previous()
    cur_lo, cur_hi = _bounds(filters.start, filters.end)
    prev_lo, prev_hi = _bounds(previous.start, previous.end)
    cur_as_of, prev_as_of = min(cur_hi, now), min(prev_hi, now)

    stages = list(Stage.objects.order_by("order"))
    progress = [s for s in stages if not s.is_lost]
    lost_ids = [s.pk for s in stages if s.is_lost]
    open_ids = [s.pk for s in stages if not s.is_closed]

    # 2. Entries and conversions. The database groups the moves of both
    # periods by (period, mark before, mark after, previous mark set in the
    # period, lost): at most 2 × 7 × 7 × 2 × 2 groups whatever the data, which
    # are then folded into per-stage figures below.
    in_current = Q(changed_at__gte=cur_lo)
    groups = (
        StageChange.objects.filter(
            _change_filter(filters),
            Q(to_level__gt=F("from_level")) | Q(to_stage_id__in=lost_ids),
            changed_at__gte=prev_lo,
            changed_at__lt=cur_hi,
        )
        .annotate(
            current=Case(When(in_current, then=Value(True)), default=Value(False)),
            carried=Case(
                When(
                    (in_current & Q(prev_level_at__gte=cur_lo))
                    | (~in_current & Q(prev_level_at__gte=prev_lo)),
                    then=Value(True),
                ),
                default=Value(False),
            ),
            lost=Case(When(to_stage_id__in=lost_ids, then=Value(True)), default=Value(False)),
        )
        .values("current", "from_level", "to_level", "carried", "lost")
        .annotate(n=Count("id"), total=Sum("amount"))
        .order_by()
    )
    entered = {True: defaultdict(int), False: defaultdict(int)}
    entered_amount = {True: defaultdict(Decimal), False: defaultdict(Decimal)}
    converted = {True: defaultdict(int), False: defaultdict(int)}
    lost_n, lost_amount = 0, Decimal("0")
    for g in groups:
        if g["lost"]:
            if g["current"]:
                lost_n, lost_amount = lost_n + g["n"], lost_amount + g["total"]
            continue
        lo_level, hi_level, period = g["from_level"], g["to_level"], g["current"]
        for i, stage in enumerate(progress):
            if lo_level < stage.order <= hi_level:
                entered[period][stage.pk] += g["n"]
                entered_amount[period][stage.pk] += g["total"]
            if i + 1 < len(progress):
                nxt = progress[i + 1]
                # Entered the next stage in the period, and this one too: in the
                # same move, or by the move that set the mark to this stage.
                if lo_level < nxt.order <= hi_level and (lo_level < stage.order or g["carried"]):
                    converted[period][stage.pk] += g["n"]

    # 3. Median dwell per open stage, both periods.
    in_cur = Q(changed_at__lt=cur_as_of) & (Q(left_at__isnull=True) | Q(left_at__gte=cur_lo))
    in_prev = Q(changed_at__lt=prev_as_of) & (Q(left_at__isnull=True) | Q(left_at__gte=prev_lo))
    stays = (
        StageChange.objects.filter(
            _change_filter(filters),
            Q(left_at__isnull=True) | Q(left_at__gte=prev_lo),
            to_stage_id__in=open_ids,
            changed_at__lt=cur_as_of,
        )
        .values("to_stage_id")
        .annotate(
            cur=Median(_dwell_days(cur_as_of), filter=in_cur),
            cur_n=Count("id", filter=in_cur),
            prev=Median(_dwell_days(prev_as_of), filter=in_prev),
        )
        .order_by()
    )
    dwell = {row["to_stage_id"]: row for row in stays}

    # 4. Today's open pipeline by expected close month.
    zero = Value(Decimal("0"), output_field=DecimalField(max_digits=20, decimal_places=2))
    months = (
        Opportunity.objects.filter(_opportunity_filter(filters), stage_id__in=open_ids)
        .annotate(month=TruncMonth("expected_close_date"))
        .values("month")
        .annotate(
            n=Count("id"),
            total=Coalesce(Sum("amount"), zero),
            weighted_total=Coalesce(
                Sum(
                    F("amount") * F("probability") / Value(100),
                    output_field=DecimalField(max_digits=20, decimal_places=2),
                ),
                zero,
            ),
        )
        .order_by("month")
    )
    forecast = [
        ForecastMonth(
            month=m["month"], count=m["n"], amount=m["total"], weighted=m["weighted_total"]
        )
        for m in months
    ]

    figures = []
    for i, stage in enumerate(progress):
        has_next = i + 1 < len(progress)
        row = dwell.get(stage.pk, {})
        fig = StageFigures(
            stage=stage,
            entered=entered[True][stage.pk],
            entered_amount=entered_amount[True][stage.pk],
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

    report = FunnelReport(
        filters=filters,
        previous=previous,
        as_of=cur_as_of,
        stages=figures,
        lost=lost_n,
        lost_amount=lost_amount,
        open_count=sum(m.count for m in forecast),
        open_amount=sum((m.amount for m in forecast), Decimal("0")),
        weighted_pipeline=sum((m.weighted for m in forecast), Decimal("0")),
        forecast=forecast,
    )
    _mark_bottleneck(report)
    return report


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


def lead_report(membership, *, start: dt.date, end: dt.date) -> list[dict]:
    """Leads created in the period by source and kind, and what they became:
    converted into deals, and won revenue (one grouped query)."""
    lo, hi = _bounds(start, end)
    won = Q(opportunity__stage__is_won=True)
    zero = Value(Decimal("0"), output_field=DecimalField(max_digits=20, decimal_places=2))
    return list(
        leads_visible_to(membership)
        .filter(created_at__gte=lo, created_at__lt=hi)
        .values("source", "kind")
        .annotate(
            n=Count("id"),
            estimated=Coalesce(Sum("estimated_amount"), zero),
            accepted=Count("id", filter=Q(status__in=[LeadStatus.ACCEPTED, LeadStatus.CONVERTED])),
            rejected=Count("id", filter=Q(status=LeadStatus.REJECTED)),
            converted=Count("id", filter=Q(status=LeadStatus.CONVERTED)),
            won=Count("id", filter=won),
            won_revenue=Coalesce(Sum("opportunity__amount", filter=won), zero),
        )
        .order_by("source", "kind")
    )


def feedback_report(
    membership, *, start: dt.date, end: dt.date, account_id: int | None = None
) -> tuple[list[dict], QuerySet[FollowUp]]:
    """Satisfaction per account for follow-ups done in the period, and the comments."""
    lo, hi = _bounds(start, end)
    done = follow_ups_visible_to(membership).filter(done_at__gte=lo, done_at__lt=hi)
    if account_id:
        done = done.filter(account_id=account_id)
    accounts = list(
        done.values("account_id", "account__name", "account__is_key_account")
        .annotate(avg_csat=Avg("csat"), rated=Count("csat"), n=Count("id"))
        .order_by("avg_csat", "account__name")
    )
    comments = done.exclude(comment="").order_by("-done_at")[:200]
    return accounts, comments
