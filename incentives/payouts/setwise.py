"""The commission lines of a whole sprint, computed by PostgreSQL in one
statement — the same arithmetic as ``calc.commission_portions`` (which stays
the per-rep reference, and what a rep's own projection uses), set-based:

* the credits (won deals, or payments collected on the rep's invoices) of
  every member, with a running total per rep in the order ``calc`` walks
  them (day, deal, then payment);
* each credit divided by its deal's parts (``plans/parts.py``: the
  categories and bundles of its accepted quote, cumulative rounding), the
  running total advancing part by part;
* the plan version in force on each credit's win day, and its rate line
  for the part (the category's rate moved by the tier: ``plans/rates.py``);
* the tiers of that version as money bands of the rep's target (without a
  target: everything at the first tier), each credit split where it crosses
  a band; the basis rounded to the fen half up, then the amount.

Products by ``0.01`` rather than quotients by 100: PostgreSQL multiplies
numerics exactly, as ``Decimal`` does here, so every figure is the one the
per-deal walk gives. Without a frozen run the lines go straight into the run
(``INSERT … SELECT``, ordered as the walk writes them); with one, they are
read back as ``Line`` values for the per-key difference.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import connection
from django.utils import timezone

from incentives.payouts.models import LineKind, PayoutLine, PayoutRun
from incentives.payouts.writes import Line
from incentives.plans.models import Basis, CommissionPlan, PlanVersion
from incentives.plans.parts import PARTS_SQL, SHARE_SQL
from incentives.plans.rates import rates_of, version_values
from incentives.plans.selectors import gap_warnings
from incentives.sprints.figures import bounds
from incentives.sprints.models import Sprint

_WON = """
    SELECT o.owner_id AS user_id, o.id AS opportunity_id, o.name,
        (o.stage_entered_at AT TIME ZONE %(tz)s)::date AS day,
        (o.stage_entered_at AT TIME ZONE %(tz)s)::date AS win_day, o.amount, o.id AS seq
    FROM pipeline_opportunity o JOIN pipeline_stage s ON s.id = o.stage_id AND s.is_won
    WHERE o.organization_id = %(org)s AND o.currency = %(currency)s
        AND o.stage_entered_at >= %(since)s AND o.stage_entered_at < %(until)s
        AND o.owner_id IN (SELECT user_id FROM members)
"""

_COLLECTED = """
    SELECT i.owner_id AS user_id, i.opportunity_id, op.name, p.received_on AS day,
        least(CASE WHEN s.is_won THEN (op.stage_entered_at AT TIME ZONE %(tz)s)::date
                   ELSE p.received_on END, p.received_on) AS win_day,
        p.amount, p.id AS seq
    FROM finance_payment p JOIN finance_invoice i ON i.id = p.invoice_id
    LEFT JOIN pipeline_opportunity op ON op.id = i.opportunity_id
    LEFT JOIN pipeline_stage s ON s.id = op.stage_id
    WHERE p.organization_id = %(org)s AND p.currency = %(currency)s
        AND p.received_on >= %(start)s AND p.received_on <= %(end)s
        AND i.owner_id IN (SELECT user_id FROM members)
"""

_WITH = """
WITH members AS (
    SELECT m.user_id, coalesce(t.amount, 0) AS target
    FROM incentives_sprintmember m
    LEFT JOIN incentives_target t ON t.member_id = m.id AND t.measure = %(basis)s
    WHERE m.sprint_id = %(sprint)s AND m.organization_id = %(org)s
),
credits AS ({credits}),
versions (id, effective_from, until, on_target, has_rates) AS (VALUES {versions}),
rates (version_id, category, bundle_id, rate) AS (VALUES {rates}),{parts},
split AS (
    SELECT c.*, coalesce(k.category, '') AS category, k.bundle_id, coalesce(k.n, 0) AS n,
        CASE WHEN k.opportunity_id IS NULL THEN c.amount ELSE {share} END AS share
    FROM credits c LEFT JOIN parts k ON k.opportunity_id = c.opportunity_id
),
priced AS (
    SELECT s.*, v.id AS version_id, v.on_target, v.has_rates, rl.rate AS category_rate
    FROM split s
    LEFT JOIN versions v
        ON v.effective_from <= s.win_day AND (v.until IS NULL OR s.win_day < v.until)
    LEFT JOIN rates rl ON rl.version_id = v.id AND rl.category = s.category
        AND rl.bundle_id IS NOT DISTINCT FROM s.bundle_id
)
"""

_LINES = """,
running AS (
    SELECT p.*, sum(p.share) OVER (PARTITION BY p.user_id
        ORDER BY p.day, p.opportunity_id, p.seq, p.n ROWS UNBOUNDED PRECEDING) AS high
    FROM priced p
),
tiers (version_id, n, from_pct, to_pct, rate, label) AS (VALUES {tiers}),
portions AS (
    SELECT r.user_id, r.opportunity_id, left(coalesce(r.name, ''), 200) AS name, r.day, r.seq,
        r.n AS part_n, r.version_id, t.from_pct, t.label, r.category, r.bundle_id,
        r.category_rate, round(b.hi - b.lo, 2) AS basis,
        CASE WHEN r.category_rate IS NULL OR r.on_target = 0 THEN t.rate
             ELSE round(r.category_rate * t.rate / r.on_target, 3) END AS rate
    FROM running r
    JOIN members m ON m.user_id = r.user_id
    JOIN tiers t ON t.version_id = r.version_id AND (m.target <> 0 OR t.n = 1)
    CROSS JOIN LATERAL (SELECT
        greatest(r.high - r.share,
                 CASE WHEN m.target <> 0 THEN m.target * t.from_pct * 0.01 ELSE 0 END) AS lo,
        CASE WHEN m.target <> 0 AND t.to_pct IS NOT NULL
             THEN least(r.high, m.target * t.to_pct * 0.01) ELSE r.high END AS hi) b
    WHERE b.hi > b.lo
)
SELECT user_id, opportunity_id, name, day, basis, rate, label, version_id,
    round(basis * rate * 0.01, 2) AS amount, category, bundle_id, category_rate
FROM portions ORDER BY user_id, day, opportunity_id, seq, part_n, from_pct
"""

_UNPAID = """
SELECT c.opportunity_id, c.name, c.win_day FROM credits c
WHERE NOT EXISTS (SELECT 1 FROM versions v WHERE v.effective_from <= c.win_day)
ORDER BY c.user_id, c.day, c.opportunity_id, c.seq
"""

# Sold parts (a category or a bundle) that the version in force, which has
# rate lines, does not rate: paid at the tier rate, listed as warnings.
_NO_RATE = """
SELECT DISTINCT ON (p.opportunity_id, p.category, p.bundle_id)
    p.opportunity_id, p.name, p.win_day, p.category, p.bundle_id
FROM priced p
WHERE p.has_rates AND p.category_rate IS NULL AND p.share <> 0
    AND (p.category <> '' OR p.bundle_id IS NOT NULL)
ORDER BY p.opportunity_id, p.category, p.bundle_id
"""

# The statement sorts every credit twice (the running total, the lines'
# order): in memory rather than in temporary files, for its transaction only
# (the caller's atomic block).
WORK_MEM = "SET LOCAL work_mem = '128MB'"

_COLUMNS = (
    "user_id, opportunity_id, deal_name, credited_on, basis_amount, rate, tier_label, "
    "version_id, amount, category, bundle_id, category_rate"
)


def _query(sprint: Sprint, plan: CommissionPlan, plan_versions: list[PlanVersion], tail: str):
    """The statement (``tail`` after the shared CTEs) and its parameters."""
    tz = timezone.get_current_timezone()
    since, until = bounds(sprint.start, sprint.end)
    params: dict[str, object] = {
        "org": sprint.organization_id,
        "sprint": sprint.pk,
        "plan": plan.pk,
        "basis": plan.basis,
        "currency": sprint.currency,
        "tz": getattr(tz, "key", str(tz)),
        "since": since,
        "until": until,
        "start": sprint.start,
        "end": sprint.end,
    }
    # The plan's versions, rate lines (``rates.version_values``) and tiers
    # (numbered from the lowest), as literal rows: a handful, and the
    # planner joins 500,000 credits to them without rescanning a table.
    versions, rates = version_values(plan_versions, params)
    tiers: list[str] = []
    for n, version in enumerate(plan_versions):
        ordered = sorted(version.tiers.all(), key=lambda t: t.from_pct)
        for k, tier in enumerate(ordered, start=1):
            key = f"v{n}t{k}"
            params |= {
                f"{key}from": tier.from_pct,
                f"{key}to": tier.to_pct,
                f"{key}rate": tier.rate,
                f"{key}label": tier.label,
            }
            tiers.append(
                f"(%(v{n})s::bigint, {k}, %({key}from)s::numeric, %({key}to)s::numeric, "
                f"%({key}rate)s::numeric, %({key}label)s::varchar)"
            )
    no_tier = "(NULL::bigint, 0, 0::numeric, NULL::numeric, 0::numeric, ''::varchar)"
    credits = _WON if plan.basis == Basis.WON else _COLLECTED
    sql = _WITH.format(
        credits=credits,
        versions=versions,
        rates=rates,
        parts=PARTS_SQL.format(deals="credits"),
        share=SHARE_SQL.format(amount="c.amount"),
    ) + tail.format(tiers=", ".join(tiers) or no_tier)
    return sql, params


def commission_insert(
    run: PayoutRun, sprint: Sprint, plan: CommissionPlan, versions: list[PlanVersion]
) -> None:
    """Write the sprint's commission lines into ``run``, in one statement."""
    sql, params = _query(sprint, plan, versions, _LINES)
    params["run"] = run.pk
    table = PayoutLine._meta.db_table
    with connection.cursor() as cur:
        cur.execute(WORK_MEM)
        cur.execute(
            f"INSERT INTO {table} (run_id, organization_id, kind, note, {_COLUMNS}) "  # noqa: S608
            f"SELECT %(run)s, %(org)s, '{LineKind.COMMISSION}', '', * FROM ({sql}) lines",
            params,
        )


def commission_rows(
    sprint: Sprint, plan: CommissionPlan, versions: list[PlanVersion]
) -> list[Line]:
    """The same lines as values (for a run after a frozen one)."""
    sql, params = _query(sprint, plan, versions, _LINES)
    with connection.cursor() as cur:
        cur.execute(WORK_MEM)
        cur.execute(sql, params)
        rows = cur.fetchall()
    return [
        Line(
            organization_id=sprint.organization_id,
            user_id=user_id,
            kind=LineKind.COMMISSION,
            opportunity_id=opportunity_id,
            deal_name=name,
            credited_on=day,
            basis_amount=basis,
            rate=rate,
            tier_label=label,
            version_id=version_id,
            amount=amount,
            category=category,
            bundle_id=bundle_id,
            category_rate=category_rate,
        )
        for (
            user_id,
            opportunity_id,
            name,
            day,
            basis,
            rate,
            label,
            version_id,
            amount,
            category,
            bundle_id,
            category_rate,
        ) in rows
    ]


def unpaid(
    sprint: Sprint, plan: CommissionPlan, versions: list[PlanVersion]
) -> list[dict[str, object]]:
    """The credits no plan version covers (won before the first one)."""
    sql, params = _query(sprint, plan, versions, _UNPAID)
    with connection.cursor() as cur:
        cur.execute(sql, params)
        rows = cur.fetchall()
    return [
        {"kind": "no_version", "opportunity_id": opp, "name": name, "day": day.isoformat()}
        for opp, name, day in rows
    ]


def no_rate(
    sprint: Sprint, plan: CommissionPlan, versions: list[PlanVersion]
) -> list[dict[str, object]]:
    """The deals whose sold categories or bundles have no rate line in their
    version (paid at the tier rate): one warning per deal and part."""
    if not any(rates_of(v) for v in versions):
        return []
    sql, params = _query(sprint, plan, versions, _NO_RATE)
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return gap_warnings(cur.fetchall())


def totals_by_user(run: PayoutRun) -> dict[int, Decimal]:
    """What the run's lines so far pay each rep."""
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT user_id, sum(amount) FROM {PayoutLine._meta.db_table} "  # noqa: S608
            "WHERE organization_id = %s AND run_id = %s GROUP BY user_id ORDER BY user_id",
            [run.organization_id, run.pk],
        )
        return dict(cur.fetchall())
