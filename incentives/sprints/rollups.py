"""Reads and rebuild of the credit rollups (``CreditDay``): what each rep
won and collected in a period and has open in the pipeline, summed from
whole months and the days around them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, transaction

from collab.money import round_money
from incentives.sprints.models import CreditDay

_RANGES = """
    SELECT {k} AS k, * FROM {table} WHERE organization_id = %(org)s AND grain = 'm'
        AND day >= %({k}first)s AND day < %({k}after)s
    UNION ALL
    SELECT {k}, * FROM {table} WHERE organization_id = %(org)s AND grain = 'd'
        AND day >= %({k}start)s AND day < %({k}first)s
    UNION ALL
    SELECT {k}, * FROM {table} WHERE organization_id = %(org)s AND grain = 'd'
        AND day >= %({k}after)s AND day <= %({k}end)s
"""


def _ranges(k: int, start: dt.date, end: dt.date) -> dict[str, dt.date]:
    """The period as its whole months [first, after) and the days around
    them; no whole month: first = after = the day after the end."""
    first = (
        start if start.day == 1 else (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    )
    after = (end + dt.timedelta(days=1)).replace(day=1)
    if first >= after:
        first = after = end + dt.timedelta(days=1)
    return {f"{k}first": first, f"{k}after": after, f"{k}start": start, f"{k}end": end}


@dataclass
class Sums:
    won: dict[int, Decimal]
    collected: dict[int, Decimal]
    forecast: dict[int, Decimal]


def sums_sql(
    organization_id: int, period: tuple[dt.date, dt.date], ahead: tuple[dt.date, dt.date]
) -> tuple[str, dict[str, object]]:
    """The rows ``sums_by_owner`` adds up, every owner of the organization:
    ``k`` 0 for ``period`` (won, collected), 1 for ``ahead`` (weighted), as a
    subquery and its parameters, for a query that joins them to its owners."""
    table = CreditDay._meta.db_table
    params: dict[str, object] = {
        "org": organization_id,
        **_ranges(0, *period),
        **_ranges(1, *ahead),
    }
    return " UNION ALL ".join(_RANGES.format(k=k, table=table) for k in (0, 1)), params


def sums_by_owner(
    organization_id: int,
    user_ids: Iterable[int],
    period: tuple[dt.date, dt.date],
    ahead: tuple[dt.date, dt.date],
    currency: str,
) -> Sums:
    """Won and collected over ``period``, the forecast (open deals weighted
    by probability) expected to close over ``ahead``, per owner: one query,
    month rows for whole months and day rows for the days around them."""
    rows_sql, params = sums_sql(organization_id, period, ahead)
    params.update(owners=list(user_ids), currency=currency)
    with connection.cursor() as cur:
        cur.execute(
            f"""
            SELECT owner_id, sum(won) FILTER (WHERE k = 0), sum(collected) FILTER (WHERE k = 0),
                sum(weighted) FILTER (WHERE k = 1)
            FROM ({rows_sql}) x
            WHERE owner_id = ANY(%(owners)s) AND currency = %(currency)s
            GROUP BY owner_id
            """,  # noqa: S608
            params,
        )
        rows = cur.fetchall()
    sums = Sums({}, {}, {})
    for owner, won, collected, weighted in rows:
        if won:
            sums.won[owner] = round_money(won)
        if collected:
            sums.collected[owner] = round_money(collected)
        if weighted:
            sums.forecast[owner] = round_money(weighted / 100)
    return sums


def rollups_rebuild(organization_id: int) -> None:
    """Recompute the organization's rollups from its deals and payments (the
    triggers keep them exact; this is for a load that ran with triggers off,
    the benchmark's). Writers of deals and payments wait for it."""
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("LOCK TABLE pipeline_opportunity, finance_payment IN SHARE MODE")
        cur.execute("SELECT incentives_credit_rebuild(%s)", [organization_id])
