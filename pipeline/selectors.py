"""Reads: visibility-scoped lists, the funnel, the leads and feedback reports.

Every report is computed by the database in a fixed number of queries,
whatever the number of rows (tests lock the counts).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import (
    Avg,
    Count,
    DateField,
    DecimalField,
    F,
    Func,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from collab import tenancy
from departments.models import Membership

from . import permissions, services
from .models import (
    Account,
    FollowUp,
    FunnelEntryDay,
    Lead,
    LeadStatus,
    Opportunity,
    Stage,
    StageChange,
)

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


def seller_users():
    """The users of ``sellers()``, for owner pickers."""
    return (
        get_user_model()
        .objects.filter(pk__in=sellers().values("user_id"))
        .order_by("first_name", "username")
    )


# --- the funnel -----------------------------------------------------------------------------


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


def _bounds(start: dt.date, end: dt.date, tz=None) -> tuple[dt.datetime, dt.datetime]:
    """[start 00:00, day after end 00:00) in the current (organization's) timezone."""
    tz = tz or timezone.get_current_timezone()
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


def _stay_filter_sql(filters: FunnelFilters, org_id: int) -> tuple[str, str, str, dict]:
    """SQL for the median query's filters, with their named params: the deals
    the filters keep (a CTE), the condition on stage changes ``sc`` and the one
    on rollup rows ``r``."""
    params: dict = {"currency": filters.currency}
    if not (filters.owner_id or filters.department_id or filters.industry):
        nothing = "SELECT NULL::bigint AS id WHERE false"
        return (
            nothing,
            "sc.currency = %(currency)s",
            "r.currency = %(currency)s AND r.owner_id IS NULL",
            params,
        )
    deal, rollup = (
        ["o.organization_id = %(org)s"],
        ["r.currency = %(currency)s", "r.owner_id IS NOT NULL"],
    )
    team = (
        "SELECT m.user_id FROM departments_membership m"
        " WHERE m.organization_id = %(org)s AND m.department_id = %(team)s"
    )
    if filters.owner_id:
        params["owner"] = filters.owner_id
        deal.append("o.owner_id = %(owner)s")
        rollup.append("r.owner_id = %(owner)s")
    if filters.department_id:
        params["team"] = filters.department_id
        deal.append(f"o.owner_id IN ({team})")
        rollup.append(f"r.owner_id IN ({team})")
    if filters.industry:
        params["industry"] = filters.industry
        deal.append("a.industry = %(industry)s")
        rollup.append("r.industry = %(industry)s")
    deals = (
        "SELECT o.id FROM pipeline_opportunity o JOIN pipeline_account a ON a.id = o.account_id"  # noqa: S608
        " WHERE " + " AND ".join(deal)
    )
    # A hashed subplan, built once: not a semi-join that the planner may turn
    # into one index probe per stage change.
    change = "sc.currency = %(currency)s AND COALESCE(sc.opportunity_id IN (SELECT id FROM deals), false)"
    return deals, change, " AND ".join(rollup), params


# The exact median of the stays in each open stage, both periods, in one
# statement. A period's stays, each with a range of whole-day buckets
# [b_lo, b_hi] known to hold its exact length:
#
# (a) stays that ended on one of the period's whole days before ``d`` (the
#     start of the day of ``as_of``): the FunnelStayDay histogram, one bucket
#     each (b_lo = b_hi = whole days in stage);
# (b) stays still open now that began before ``cut`` (the start of the UTC day
#     of ``as_of``): the FunnelOpenDay counts by UTC day. A stay that began on
#     day D has lasted more than as_of − (D + 1) and at most as_of − D, so a
#     day's count spans two buckets;
# (c) the rest, read from StageChange one by one (a few): stays that ended on
#     or after ``d`` (on the period's last, partial day, or after the period:
#     open at its end, counted up to it) and open stays begun since ``cut``.
#
# For a rank k the exact value lies at or above b1, the first bucket where the
# counts by b_lo reach k (fewer than k stays can be shorter than b1), and
# below b2 + 1, b2 the first bucket where the counts by b_hi reach k (at least
# k stays are shorter than b2 + 1). Only the stays whose range meets [b1, b2]
# are read exactly — the closed ones through stagechange_dwell_idx, the open
# ones of those few days through stagechange_open_idx — and ranked after the
# ``below`` stays whose whole range lies under b1.
#
# Each period's share of the statement, with its bounds as literals (the
# planner then sees how many rows each range holds: a filtered report joins
# the deals by hash instead of probing them one by one).
_MEDIAN_PERIOD_SQL = {
    # (c): closed stays that ended on or after d, and open stays begun since cut.
    "exact": """
        SELECT {p} AS p, sc.to_stage_id AS stage_id,
               date_part('epoch', LEAST(sc.left_at, %(as_of{p})s) - sc.changed_at) AS secs
        FROM pipeline_stagechange sc
        WHERE sc.organization_id = %(org)s AND sc.left_at >= %(d{p})s
            AND sc.changed_at < %(as_of{p})s AND sc.to_stage_id = ANY(%(stages)s) AND {change}
        UNION ALL
        SELECT {p}, sc.to_stage_id, date_part('epoch', %(as_of{p})s - sc.changed_at)
        FROM pipeline_stagechange sc
        WHERE sc.organization_id = %(org)s AND sc.left_at IS NULL
            AND sc.changed_at >= %(cut{p})s AND sc.changed_at < %(as_of{p})s
            AND sc.to_stage_id = ANY(%(stages)s) AND {change}""",
    # (b): open stays begun before cut, by UTC day.
    "opened": """
        SELECT {p} AS p, r.stage_id, r.day, SUM(r.n)::bigint AS n,
               FLOOR(date_part('epoch', %(as_of{p})s - ((r.day + 1)::timestamp AT TIME ZONE 'UTC'))
                     / 86400) AS b_lo,
               FLOOR(date_part('epoch', %(as_of{p})s - (r.day::timestamp AT TIME ZONE 'UTC'))
                     / 86400) AS b_hi
        FROM pipeline_funnelopenday r
        WHERE r.organization_id = %(org)s AND r.day < %(cut_day{p})s
            AND r.stage_id = ANY(%(stages)s) AND {rollup}
        GROUP BY r.stage_id, r.day""",
    # (a): closed stays that ended on the period's whole days before d.
    "closed": """
        SELECT {p} AS p, r.stage_id, r.dwell_days::float8 AS b, SUM(r.n) AS n
        FROM pipeline_funnelstayday r
        WHERE r.organization_id = %(org)s
            AND r.left_day >= %(lo_day{p})s AND r.left_day < %(d_day{p})s
            AND r.stage_id = ANY(%(stages)s) AND {rollup}
        GROUP BY r.stage_id, r.dwell_days""",
}

_MEDIAN_SQL = """
WITH deals AS MATERIALIZED (
    {deals}
), params (p, lo, d, as_of) AS (
    VALUES (0, %(lo0)s::timestamptz, %(d0)s::timestamptz, %(as_of0)s::timestamptz),
           (1, %(lo1)s::timestamptz, %(d1)s::timestamptz, %(as_of1)s::timestamptz)
), exact AS MATERIALIZED (
    SELECT p, stage_id, secs, FLOOR(secs / 86400) AS b FROM ({exact}) x
), opened AS MATERIALIZED (
    {opened}
), items AS MATERIALIZED (
    SELECT p, stage_id, b_lo, b_hi, SUM(n)::bigint AS n
    FROM (
        SELECT p, stage_id, b AS b_lo, b AS b_hi, n FROM ({closed}) c
        UNION ALL
        SELECT p, stage_id, b, b, count(*) FROM exact GROUP BY p, stage_id, b
        UNION ALL
        SELECT p, stage_id, b_lo, b_hi, n FROM opened
    ) i
    GROUP BY p, stage_id, b_lo, b_hi
), lo AS (
    -- cumulative counts by b_lo: at most ``upto`` stays are shorter than b + 1
    SELECT p, stage_id, b, SUM(n) OVER (PARTITION BY p, stage_id ORDER BY b) AS upto,
           SUM(n) OVER (PARTITION BY p, stage_id) AS total
    FROM (SELECT p, stage_id, b_lo AS b, SUM(n)::int AS n FROM items GROUP BY p, stage_id, b_lo) x
), hi AS (
    -- cumulative counts by b_hi: at least ``upto`` stays are shorter than b + 1
    SELECT p, stage_id, b, SUM(n) OVER (PARTITION BY p, stage_id ORDER BY b) AS upto
    FROM (SELECT p, stage_id, b_hi AS b, SUM(n)::int AS n FROM items GROUP BY p, stage_id, b_hi) x
), first AS (
    SELECT p, stage_id, MAX(total) AS total,
           MIN(b) FILTER (WHERE upto >= (total + 1) / 2) AS b1
    FROM lo
    GROUP BY p, stage_id
), target AS MATERIALIZED (
    -- ranks k1 and k2 (the same when the count is odd) lie in [b1, b2 + 1);
    -- ``below`` stays are certainly shorter than b1
    SELECT f.p, f.stage_id, f.total, (f.total + 1) / 2 AS k1, f.total / 2 + 1 AS k2, f.b1,
           MIN(h.b) FILTER (WHERE h.upto >= f.total / 2 + 1) AS b2,
           COALESCE(MAX(h.upto) FILTER (WHERE h.b < f.b1), 0) AS below
    FROM first f
    JOIN hi h ON h.p = f.p AND h.stage_id = f.stage_id
    GROUP BY f.p, f.stage_id, f.total, f.b1
), cand AS MATERIALIZED (
    SELECT t.p, t.stage_id, x.secs
    FROM target t
    JOIN params pr ON pr.p = t.p
    CROSS JOIN LATERAL generate_series(t.b1::int, t.b2::int) AS g(b)
    CROSS JOIN LATERAL (
        SELECT date_part('epoch', sc.left_at - sc.changed_at) AS secs
        FROM pipeline_stagechange sc
        WHERE sc.organization_id = %(org)s AND sc.to_stage_id = t.stage_id
            AND FLOOR(EXTRACT(EPOCH FROM (sc.left_at - sc.changed_at)) / 86400) = g.b::numeric
            AND sc.left_at IS NOT NULL AND sc.left_at >= pr.lo AND sc.left_at < pr.d
            AND {change}
        OFFSET 0  -- keep it a per-bucket index scan (stagechange_dwell_idx)
    ) x
    UNION ALL
    SELECT e.p, e.stage_id, e.secs
    FROM exact e
    JOIN target t ON t.p = e.p AND t.stage_id = e.stage_id AND e.b BETWEEN t.b1 AND t.b2
    UNION ALL
    SELECT o.p, o.stage_id, x.secs
    FROM opened o
    JOIN target t ON t.p = o.p AND t.stage_id = o.stage_id AND o.b_hi >= t.b1 AND o.b_lo <= t.b2
    JOIN params pr ON pr.p = o.p
    CROSS JOIN LATERAL (
        SELECT date_part('epoch', pr.as_of - sc.changed_at) AS secs
        FROM pipeline_stagechange sc
        WHERE sc.organization_id = %(org)s AND sc.left_at IS NULL
            AND sc.to_stage_id = o.stage_id
            AND sc.changed_at >= (o.day::timestamp AT TIME ZONE 'UTC')
            AND sc.changed_at < ((o.day + 1)::timestamp AT TIME ZONE 'UTC') AND {change}
        OFFSET 0  -- keep it a per-day index scan (stagechange_open_idx)
    ) x
), ranked AS MATERIALIZED (  -- once, whatever join the estimates suggest
    SELECT p, stage_id, array_agg(secs ORDER BY secs) AS secs
    FROM cand
    GROUP BY p, stage_id
), medians AS (
    -- ranks k1 and k2 among the candidates, after the ``below`` stays
    SELECT t.p, t.stage_id,
           (r.secs[t.k1 - t.below] / 86400.0 + r.secs[t.k2 - t.below] / 86400.0) / 2 AS median
    FROM target t
    JOIN ranked r ON r.p = t.p AND r.stage_id = t.stage_id
)
SELECT t.p, t.stage_id, t.total, m.median
FROM target t
LEFT JOIN medians m ON m.p = t.p AND m.stage_id = t.stage_id
"""


def _day_start(moment: dt.datetime, tz) -> dt.datetime:
    return dt.datetime.combine(moment.astimezone(tz).date(), dt.time.min, tzinfo=tz)


def _medians(
    filters: FunnelFilters, org_id: int, tz, stage_ids: list[int], periods
) -> dict[tuple[int, int], tuple[int, float | None]]:
    """{(period, stage id): (stays, median days)}, period 0 current, 1 previous."""
    deals, change, rollup, params = _stay_filter_sql(filters, org_id)
    params.update({"org": org_id, "stages": stage_ids})
    for p, (lo, as_of) in enumerate(periods):
        d = max(lo, _day_start(as_of, tz))
        cut = _day_start(as_of, dt.UTC)  # FunnelOpenDay counts UTC days
        params.update(
            {
                f"lo{p}": lo,
                f"d{p}": d,
                f"as_of{p}": as_of,
                f"lo_day{p}": lo.astimezone(tz).date(),
                f"d_day{p}": d.astimezone(tz).date(),
                f"cut{p}": cut,
                f"cut_day{p}": cut.date(),
            }
        )
    with connection.cursor() as cursor:
        pieces = {
            name: " UNION ALL ".join(
                sql.format(p=p, change=change, rollup=rollup) for p in range(len(periods))
            )
            for name, sql in _MEDIAN_PERIOD_SQL.items()
        }
        cursor.execute(_MEDIAN_SQL.format(deals=deals, change=change, **pieces), params)
        return {(p, stage): (n, median) for p, stage, n, median in cursor.fetchall()}


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
    cur_lo, cur_hi = _bounds(filters.start, filters.end, tz)
    prev_lo, prev_hi = _bounds(previous.start, previous.end, tz)
    cur_as_of, prev_as_of = min(cur_hi, now), min(prev_hi, now)

    progress = [s for s in stages if not s.is_lost]
    lost_ids = [s.pk for s in stages if s.is_lost]
    open_ids = [s.pk for s in stages if not s.is_closed]

    # 2. Entries, conversions and lost deals of both periods, from the daily
    # rollup: a deal entered S in a period when its S-entry day is in it, and
    # converted when its next-stage entry day is in it too.
    cur, prev = Q(day__gte=filters.start), Q(day__lte=previous.end)
    entries = (
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
    entered = {True: defaultdict(int), False: defaultdict(int)}
    entered_amount = {True: defaultdict(Decimal), False: defaultdict(Decimal)}
    converted = {True: defaultdict(int), False: defaultdict(int)}
    lost_n, lost_amount = 0, Decimal("0")
    for row in entries:
        stage_id = row["stage_id"]
        if stage_id in lost_ids:
            lost_n += row["cur_n"] or 0
            lost_amount += row["cur_total"] or Decimal("0")
            continue
        entered[True][stage_id] = row["cur_n"] or 0
        entered_amount[True][stage_id] = row["cur_total"] or Decimal("0")
        converted[True][stage_id] = row["cur_conv"] or 0
        entered[False][stage_id] = row["prev_n"] or 0
        converted[False][stage_id] = row["prev_conv"] or 0

    # 3. Median dwell per open stage, both periods (one statement, see _MEDIAN_SQL).
    medians = _medians(
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

    # 4. Today's open pipeline by expected close month (an index-only scan:
    # opp_org_stage_close_idx). Grouped by probability too, so the database
    # only adds amounts; the weighted sums are exact Decimals here.
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
    forecast = list(by_month.values())

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
