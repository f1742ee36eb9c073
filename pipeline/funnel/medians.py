"""The exact median days in stage of both periods, in one statement (see ``_MEDIAN_SQL``)."""

from __future__ import annotations

import datetime as dt

from django.db import connection

from pipeline.funnel.filters import FunnelFilters


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


def medians(
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
