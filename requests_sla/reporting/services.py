"""Writes of the dashboard's rollups: the recompute after a bulk load or a timezone change."""

from __future__ import annotations

from django.db import connection, transaction

from requests_sla.reporting.models import RequestDay, SlaOutcomeDay, SlaStoppedMonth
from requests_sla.requests.models import Request
from requests_sla.sla.models import SlaOutcome

_R = Request._meta.db_table
_O = SlaOutcome._meta.db_table

# Each row counts in both grains of a rollup: fine (its type and priority)
# and coarse (type 0, priority "").
_GRAINS = """(VALUES (true, x.request_type_id, x.priority), (false, 0::bigint, ''::varchar))
    g(fine, type_id, prio)"""


def rollups_rebuild(organization_id: int) -> None:
    """Recompute the organization's rollups (``SlaOutcomeDay``,
    ``RequestDay``, ``SlaStoppedMonth``) from the rows. The triggers keep them exact on every
    write; this is for a load that ran with triggers off (the benchmark's)
    or after the organization's timezone changed (days are local). Writers
    of requests and outcomes wait for it (SHARE locks), so nothing is
    counted twice."""
    day_o, day_r = SlaOutcomeDay._meta.db_table, RequestDay._meta.db_table
    month_s = SlaStoppedMonth._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {_R}, {_O} IN SHARE MODE")
        cursor.execute(f"DELETE FROM {day_o} WHERE organization_id = %s", [organization_id])  # noqa: S608
        cursor.execute(f"DELETE FROM {day_r} WHERE organization_id = %s", [organization_id])  # noqa: S608
        cursor.execute(f"DELETE FROM {month_s} WHERE organization_id = %s", [organization_id])  # noqa: S608
        cursor.execute(
            f"""
            INSERT INTO {day_o} (organization_id, fine, day, kind, serving_department_id,
                requesting_department_id, request_type_id, priority, decided, met, breached,
                late_minutes, late_count)
            SELECT x.organization_id, g.fine, (x.decided_at AT TIME ZONE o.timezone)::date,
                x.kind, x.serving_department_id, coalesce(x.requesting_department_id, 0),
                g.type_id, g.prio, count(*), count(*) FILTER (WHERE x.met),
                count(*) FILTER (WHERE x.breached),
                coalesce(sum(x.late_minutes) FILTER (WHERE x.breached AND x.stopped_at IS NOT NULL), 0),
                count(*) FILTER (WHERE x.breached AND x.stopped_at IS NOT NULL)
            FROM {_O} x JOIN departments_organization o ON o.id = x.organization_id
            CROSS JOIN LATERAL {_GRAINS}
            WHERE x.organization_id = %s
            GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
            """,  # noqa: S608
            [organization_id],
        )
        cursor.execute(
            f"""
            INSERT INTO {day_r} (organization_id, fine, day, serving_department_id,
                requesting_department_id, request_type_id, priority, filed)
            SELECT x.organization_id, g.fine, (x.created_at AT TIME ZONE o.timezone)::date,
                x.serving_department_id, coalesce(x.requesting_department_id, 0),
                g.type_id, g.prio, count(*)
            FROM {_R} x JOIN departments_organization o ON o.id = x.organization_id
            CROSS JOIN LATERAL {_GRAINS}
            WHERE x.organization_id = %s
            GROUP BY 1, 2, 3, 4, 5, 6, 7
            """,  # noqa: S608
            [organization_id],
        )
        cursor.execute(
            f"""
            INSERT INTO {month_s} (organization_id, month, kind, elapsed_minutes, stopped)
            SELECT x.organization_id, date_trunc('month', x.stopped_at AT TIME ZONE o.timezone)::date,
                x.kind, x.elapsed_minutes, count(*)
            FROM {_O} x JOIN departments_organization o ON o.id = x.organization_id
            WHERE x.organization_id = %s AND x.stopped_at IS NOT NULL
            GROUP BY 1, 2, 3, 4
            """,  # noqa: S608
            [organization_id],
        )
