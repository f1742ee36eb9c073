"""Writes for accounts, opportunities, leads and follow-ups.

Every function runs in one transaction and writes its own audit trail
(``StageChange`` rows, simple-history on opportunities, accounts and leads).
"""

from __future__ import annotations

import zoneinfo
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.backends.utils import CursorWrapper

from departments.models import Organization

User = get_user_model()


# --- accounts ------------------------------------------------------------------------------


# --- opportunities ---------------------------------------------------------------------------


# --- follow-ups ------------------------------------------------------------------------------


# --- customer-success leads -----------------------------------------------------------------


# --- the funnel's rollups --------------------------------------------------------------------
#
# FunnelEntryDay, FunnelStayDay and FunnelOpenDay (models.py; design in
# reports.py) are a pure function of the organization's stage changes and each deal's current owner
# and industry. The same SQL computes them for a few deals (kept on every
# write, in the write's transaction) or for the whole organization (rebuild).

_ENTRY_SQL = """
WITH moves AS (
    SELECT sc.opportunity_id, sc.to_stage_id, sc.changed_at, sc.amount, sc.currency,
           sc.from_level, sc.to_level
    FROM pipeline_stagechange sc
    WHERE sc.organization_id = %(org)s {only}
), entries AS (
    -- A move enters every non-lost stage between the old and new high-water
    -- mark; the entered stages of a deal are a prefix of the funnel, so the
    -- next entry by stage order is the next stage's.
    SELECT m.opportunity_id, st.id AS stage_id, m.changed_at, m.amount, m.currency,
           lead(m.changed_at) OVER (PARTITION BY m.opportunity_id ORDER BY st."order") AS next_at
    FROM moves m
    JOIN pipeline_stage st ON st.organization_id = %(org)s AND NOT st.is_lost
        AND st."order" > m.from_level AND st."order" <= m.to_level
    UNION ALL
    SELECT m.opportunity_id, m.to_stage_id, m.changed_at, m.amount, m.currency, NULL
    FROM moves m
    JOIN pipeline_stage st ON st.id = m.to_stage_id AND st.is_lost
), keyed AS (
    SELECT e.stage_id, (e.changed_at AT TIME ZONE %(tz)s)::date AS day,
           (e.next_at AT TIME ZONE %(tz)s)::date AS next_day, e.currency,
           o.owner_id, a.industry, e.amount
    FROM entries e
    JOIN pipeline_opportunity o ON o.id = e.opportunity_id
    JOIN pipeline_account a ON a.id = o.account_id
)
SELECT stage_id, day, next_day, currency, owner_id, industry,
       count(*) AS n, sum(amount) AS amount
FROM keyed
GROUP BY GROUPING SETS (
    (stage_id, day, next_day, currency, owner_id, industry),
    (stage_id, day, next_day, currency)
)
"""

_STAY_SQL = """
WITH keyed AS (
    SELECT sc.to_stage_id AS stage_id, (sc.left_at AT TIME ZONE %(tz)s)::date AS left_day,
           FLOOR(EXTRACT(EPOCH FROM (sc.left_at - sc.changed_at)) / 86400)::int AS dwell_days,
           sc.currency, o.owner_id, a.industry
    FROM pipeline_stagechange sc
    JOIN pipeline_opportunity o ON o.id = sc.opportunity_id
    JOIN pipeline_account a ON a.id = o.account_id
    WHERE sc.organization_id = %(org)s AND sc.left_at IS NOT NULL {only}
)
SELECT stage_id, left_day, dwell_days, currency, owner_id, industry, count(*) AS n
FROM keyed
GROUP BY GROUPING SETS (
    (stage_id, left_day, dwell_days, currency, owner_id, industry),
    (stage_id, left_day, dwell_days, currency)
)
"""

# Stays still open in an open stage, by the UTC day they began (FunnelOpenDay).
_OPEN_SQL = """
WITH keyed AS (
    SELECT sc.to_stage_id AS stage_id, (sc.changed_at AT TIME ZONE 'UTC')::date AS day,
           sc.currency, o.owner_id, a.industry
    FROM pipeline_stagechange sc
    JOIN pipeline_stage st ON st.id = sc.to_stage_id AND NOT st.is_won AND NOT st.is_lost
    JOIN pipeline_opportunity o ON o.id = sc.opportunity_id
    JOIN pipeline_account a ON a.id = o.account_id
    WHERE sc.organization_id = %(org)s AND sc.left_at IS NULL {only}
)
SELECT stage_id, day, currency, owner_id, industry, count(*) AS n
FROM keyed
GROUP BY GROUPING SETS (
    (stage_id, day, currency, owner_id, industry),
    (stage_id, day, currency)
)
"""

_ENTRY_COLUMNS = "stage_id, day, next_day, currency, owner_id, industry, n, amount"
_STAY_COLUMNS = "stage_id, left_day, dwell_days, currency, owner_id, industry, n"
_OPEN_COLUMNS = "stage_id, day, currency, owner_id, industry, n"
ROLLUP_TABLES = ("pipeline_funnelentryday", "pipeline_funnelstayday", "pipeline_funnelopenday")


def _organization_zone(organization_id: int) -> str:
    """The organization's time zone, in which the rollups count days."""
    name = (
        Organization.objects.filter(pk=organization_id).values_list("timezone", flat=True).first()
    )
    return funnel_zone_name(name)


def funnel_zone_name(name: str | None) -> str:
    try:
        return zoneinfo.ZoneInfo(name or "").key
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return settings.TIME_ZONE


def funnel_rollup_sql(organization_id: int, zone: str) -> list[tuple[str, dict[str, Any]]]:
    """The rebuild: one ``INSERT … SELECT`` statement per rollup table from
    ``StageChange`` (run after deleting the organization's rows;
    bench/funnel.py uses them too)."""
    params = {"org": organization_id, "tz": zone}
    return [
        (
            f"INSERT INTO pipeline_funnelentryday (organization_id, {_ENTRY_COLUMNS}) "  # noqa: S608
            f"SELECT %(org)s, {_ENTRY_COLUMNS} FROM ({_ENTRY_SQL.format(only='')}) c",
            params,
        ),
        (
            f"INSERT INTO pipeline_funnelstayday (organization_id, {_STAY_COLUMNS}) "  # noqa: S608
            f"SELECT %(org)s, {_STAY_COLUMNS} FROM ({_STAY_SQL.format(only='')}) c",
            params,
        ),
        (
            f"INSERT INTO pipeline_funnelopenday (organization_id, {_OPEN_COLUMNS}) "  # noqa: S608
            f"SELECT %(org)s, {_OPEN_COLUMNS} FROM ({_OPEN_SQL.format(only='')}) c",
            params,
        ),
    ]


def funnel_rollup_rebuild(*, organization: Organization) -> None:
    """Recompute the organization's funnel rollups from its stage changes.

    Idempotent; the repair for anything written around the services (admin
    deletes, SQL fixes, a changed organization time zone)."""
    with transaction.atomic(), connection.cursor() as cursor:
        # Serialize with moves: they lock their deal, then the rollup rows.
        cursor.execute(f"LOCK TABLE {', '.join(ROLLUP_TABLES)} IN SHARE ROW EXCLUSIVE MODE")
        for table in ROLLUP_TABLES:
            cursor.execute(f"DELETE FROM {table} WHERE organization_id = %s", [organization.id])  # noqa: S608
        for sql, params in funnel_rollup_sql(
            organization.id, funnel_zone_name(organization.timezone)
        ):
            cursor.execute(sql, params)


# A rollup row's key (table, stage, day, next_day, dwell_days, currency, owner,
# industry) and what the deals add to it: (count, amount).
RollupKey = tuple[Any, ...]
Contributions = dict[RollupKey, tuple[int, Decimal]]


def _contributions(
    cursor: CursorWrapper, organization_id: int, zone: str, opportunity_ids: list[int]
) -> Contributions:
    """The rollup rows the given deals account for: {key: (n, amount)}, where
    key is (table, stage, day, next_day, dwell_days, currency, owner, industry);
    table 'e' entries, 's' closed stays, 'o' open stays."""
    params: dict[str, Any] = {"org": organization_id, "tz": zone, "ids": list(opportunity_ids)}
    only = "AND sc.opportunity_id = ANY(%(ids)s)"
    cursor.execute(
        "SELECT 'e', stage_id, day, next_day, NULL::int, currency, owner_id, industry, n, amount"  # noqa: S608
        f" FROM ({_ENTRY_SQL.format(only=only)}) e UNION ALL"
        " SELECT 's', stage_id, left_day, NULL::date, dwell_days, currency, owner_id, industry,"
        f" n, 0 FROM ({_STAY_SQL.format(only=only)}) s UNION ALL"
        " SELECT 'o', stage_id, day, NULL::date, NULL::int, currency, owner_id, industry,"
        f" n, 0 FROM ({_OPEN_SQL.format(only=only)}) o",
        params,
    )
    rows: Contributions = defaultdict(lambda: (0, Decimal("0")))
    for *key, n, amount in cursor.fetchall():
        rows[tuple(key)] = (n, amount)
    return rows


def _key_order(key: RollupKey) -> tuple[str, ...]:
    return tuple("" if v is None else str(v) for v in key)


class FunnelRollupKept:
    """Keeps the rollups right across a write that changes some deals' stage
    changes, owner or industry: their rows are read before (construction) and
    after (``done``), and the difference applied, in the caller's transaction
    (after the caller has locked the deals)."""

    def __init__(self, organization_id: int, opportunity_ids: list[int], *, new: bool = False):
        self.organization_id, self.ids = organization_id, list(opportunity_ids)
        self.zone = _organization_zone(organization_id) if self.ids else ""
        self.before: Contributions = defaultdict(lambda: (0, Decimal("0")))
        if self.ids and not new:
            with connection.cursor() as cursor:
                self.before = _contributions(cursor, organization_id, self.zone, self.ids)

    def done(self) -> None:
        if not self.ids:
            return
        with connection.cursor() as cursor:
            after = _contributions(cursor, self.organization_id, self.zone, self.ids)
            delta: Contributions = {}
            for key in self.before.keys() | after.keys():
                n = after[key][0] - self.before[key][0]
                amount = after[key][1] - self.before[key][1]
                if n or amount:
                    delta[key] = (n, amount)
            _apply(cursor, self.organization_id, delta)


def account_deals_locked(organization_id: int, account_id: int) -> list[int]:
    """Lock an account's deals (id order, as the deal writes lock them) and
    return their ids: an account write that regroups them in the rollups
    (a new industry) keeps them still while it reads before and after."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id FROM pipeline_opportunity WHERE organization_id = %s AND account_id = %s"
            " ORDER BY id FOR UPDATE",
            [organization_id, account_id],
        )
        return [pk for (pk,) in cursor.fetchall()]


def _apply(cursor: CursorWrapper, organization_id: int, delta: Contributions) -> None:
    # Keys in one order in every transaction, so concurrent moves wait for
    # each other instead of deadlocking.
    entry_rows: list[list[Any]] = []
    stay_rows: list[list[Any]] = []
    open_rows: list[list[Any]] = []
    for key in sorted(delta, key=_key_order):
        kind, stage, day, next_day, dwell, currency, owner, industry = key
        n, amount = delta[key]
        if kind == "e":
            entry_rows.append(
                [organization_id, stage, day, next_day, currency, owner, industry, n, amount]
            )
        elif kind == "s":
            stay_rows.append([organization_id, stage, day, dwell, currency, owner, industry, n])
        else:
            open_rows.append([organization_id, stage, day, currency, owner, industry, n])
    empty: dict[str, list[list[Any]]] = {"e": [], "s": [], "o": []}
    statements = [
        (
            "e",
            "pipeline_funnelentryday",
            _ENTRY_COLUMNS,
            "funnelentryday_key_uniq",
            entry_rows,
            "n = t.n + EXCLUDED.n, amount = t.amount + EXCLUDED.amount",
        ),
        (
            "s",
            "pipeline_funnelstayday",
            _STAY_COLUMNS,
            "funnelstayday_key_uniq",
            stay_rows,
            "n = t.n + EXCLUDED.n",
        ),
        (
            "o",
            "pipeline_funnelopenday",
            _OPEN_COLUMNS,
            "funnelopenday_key_uniq",
            open_rows,
            "n = t.n + EXCLUDED.n",
        ),
    ]
    for kind, table, columns, constraint, rows, update in statements:
        if not rows:
            continue
        width = len(rows[0])
        values = ", ".join(["(" + ", ".join(["%s"] * width) + ")"] * len(rows))
        cursor.execute(
            f"INSERT INTO {table} AS t (organization_id, {columns}) VALUES {values} "  # noqa: S608
            f"ON CONFLICT ON CONSTRAINT {constraint} DO UPDATE SET {update} "
            "RETURNING t.id, t.n",
            [value for row in rows for value in row],
        )
        empty[kind] = [pk for pk, n in cursor.fetchall() if n == 0]
    if empty["e"] or empty["s"] or empty["o"]:
        cursor.execute(
            "WITH e AS (DELETE FROM pipeline_funnelentryday WHERE id = ANY(%s)),"
            " s AS (DELETE FROM pipeline_funnelstayday WHERE id = ANY(%s)) "
            "DELETE FROM pipeline_funnelopenday WHERE id = ANY(%s)",
            [empty["e"], empty["s"], empty["o"]],
        )
