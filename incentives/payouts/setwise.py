"""The commission lines of a whole sprint, computed by PostgreSQL in one
statement — the same arithmetic as ``calc.commission_portions`` (which stays
the per-rep reference, and what a rep's own projection uses), set-based:

* the credits (won deals, or payments collected on the rep's invoices) of
  every member, with a running total per rep in the order ``calc`` walks
  them (day, deal, then payment);
* the plan version in force on each credit's win day;
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
versions (id, effective_from, until) AS (VALUES {versions})
"""

_LINES = """,
running AS (
    SELECT c.*, sum(c.amount) OVER (PARTITION BY c.user_id
        ORDER BY c.day, c.opportunity_id, c.seq ROWS UNBOUNDED PRECEDING) AS high
    FROM credits c
),
tiers (version_id, n, from_pct, to_pct, rate, label) AS (VALUES {tiers}),
portions AS (
    SELECT r.user_id, r.opportunity_id, left(coalesce(r.name, ''), 200) AS name, r.day, r.seq,
        v.id AS version_id, t.from_pct, t.rate, t.label, round(b.hi - b.lo, 2) AS basis
    FROM running r
    JOIN members m ON m.user_id = r.user_id
    JOIN versions v ON v.effective_from <= r.win_day AND (v.until IS NULL OR r.win_day < v.until)
    JOIN tiers t ON t.version_id = v.id AND (m.target <> 0 OR t.n = 1)
    CROSS JOIN LATERAL (SELECT
        greatest(r.high - r.amount,
                 CASE WHEN m.target <> 0 THEN m.target * t.from_pct * 0.01 ELSE 0 END) AS lo,
        CASE WHEN m.target <> 0 AND t.to_pct IS NOT NULL
             THEN least(r.high, m.target * t.to_pct * 0.01) ELSE r.high END AS hi) b
    WHERE b.hi > b.lo
)
SELECT user_id, opportunity_id, name, day, basis, rate, label, version_id,
    round(basis * rate * 0.01, 2) AS amount
FROM portions ORDER BY user_id, day, opportunity_id, seq, from_pct
"""

_UNPAID = """
SELECT c.opportunity_id, c.name, c.win_day FROM credits c
WHERE NOT EXISTS (SELECT 1 FROM versions v WHERE v.effective_from <= c.win_day)
ORDER BY c.user_id, c.day, c.opportunity_id, c.seq
"""

# The statement sorts every credit twice (the running total, the lines'
# order): in memory rather than in temporary files, for its transaction only
# (the caller's atomic block).
WORK_MEM = "SET LOCAL work_mem = '128MB'"

_COLUMNS = (
    "user_id, opportunity_id, deal_name, credited_on, basis_amount, rate, tier_label, "
    "version_id, amount"
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
    # The plan's versions (with the day the next one starts) and their tiers
    # (numbered from the lowest), as literal rows: a handful, and the
    # planner joins 500,000 credits to them without rescanning a table.
    versions: list[str] = []
    tiers: list[str] = []
    for n, version in enumerate(plan_versions):
        until = plan_versions[n + 1].effective_from if n + 1 < len(plan_versions) else None
        params |= {f"v{n}": version.pk, f"v{n}from": version.effective_from, f"v{n}until": until}
        versions.append(f"(%(v{n})s::bigint, %(v{n}from)s::date, %(v{n}until)s::date)")
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
    none = "(NULL::bigint, NULL::date, NULL::date)"
    no_tier = "(NULL::bigint, 0, 0::numeric, NULL::numeric, 0::numeric, ''::varchar)"
    credits = _WON if plan.basis == Basis.WON else _COLLECTED
    sql = _WITH.format(credits=credits, versions=", ".join(versions) or none) + tail.format(
        tiers=", ".join(tiers) or no_tier
    )
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
        )
        for user_id, opportunity_id, name, day, basis, rate, label, version_id, amount in rows
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
        {"opportunity_id": opp, "name": name, "day": day.isoformat()} for opp, name, day in rows
    ]


def totals_by_user(run: PayoutRun) -> dict[int, Decimal]:
    """What the run's lines so far pay each rep."""
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT user_id, sum(amount) FROM {PayoutLine._meta.db_table} "  # noqa: S608
            "WHERE run_id = %s GROUP BY user_id ORDER BY user_id",
            [run.pk],
        )
        return dict(cur.fetchall())
