"""The SQL of the dashboard rollups' triggers, which the migrations install.

PostgreSQL keeps ``SlaOutcomeDay``, ``RequestDay`` and ``SlaStoppedMonth``
(``reporting.models``) exact on every write to outcomes and requests, in the
writer's transaction. Migration 0006 installs ``ROLLUP_TRIGGERS_SQL`` (and the
open-request index the live list reads), 0008 ``STOPPED_MONTH_TRIGGERS_SQL``;
each has its ``…_DROP_SQL`` to go back.

These constants are what those migrations ran: never edit them. A change to
a trigger is a new migration and a new constant beside these.
"""

from __future__ import annotations

from collab.triggers import statement_triggers

# The dashboard's daily rollups are written by PostgreSQL itself, so that
# every write path keeps them exact in the writer's transaction (see
# requests_sla.reporting.models). Each statement's net change per key is
# applied once, keys in order (no deadlock between two writers), and a
# change that nets to zero (an upsert that kept the outcome) writes nothing.

_OUTCOME_COLUMNS = (
    "organization_id, decided_at, kind, serving_department_id, requesting_department_id, "
    "request_type_id, priority, met, breached, stopped_at, late_minutes"
)

_OUTCOME_APPLY = """
    INSERT INTO requests_sla_slaoutcomeday AS d (organization_id, fine, day, kind,
        serving_department_id, requesting_department_id, request_type_id, priority,
        decided, met, breached, late_minutes, late_count)
    SELECT x.organization_id, g.fine, (x.decided_at AT TIME ZONE o.timezone)::date, x.kind,
        x.serving_department_id, coalesce(x.requesting_department_id, 0), g.type_id, g.prio,
        sum(x.s), sum(x.s * x.met::int), sum(x.s * x.breached::int),
        sum(x.s * CASE WHEN x.breached AND x.stopped_at IS NOT NULL THEN x.late_minutes ELSE 0 END),
        sum(x.s * (x.breached AND x.stopped_at IS NOT NULL)::int)
    FROM ({source}) x JOIN departments_organization o ON o.id = x.organization_id
    CROSS JOIN LATERAL (VALUES (true, x.request_type_id, x.priority),
        (false, 0::bigint, ''::varchar)) g(fine, type_id, prio)
    GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
    HAVING sum(x.s) <> 0 OR sum(x.s * x.met::int) <> 0 OR sum(x.s * x.breached::int) <> 0
        OR sum(x.s * CASE WHEN x.breached AND x.stopped_at IS NOT NULL THEN x.late_minutes ELSE 0 END) <> 0
        OR sum(x.s * (x.breached AND x.stopped_at IS NOT NULL)::int) <> 0
    ORDER BY 1, 2, 3, 4, 5, 6, 7, 8
    ON CONFLICT (organization_id, fine, day, kind, serving_department_id, requesting_department_id,
        request_type_id, priority)
    DO UPDATE SET decided = d.decided + EXCLUDED.decided, met = d.met + EXCLUDED.met,
        breached = d.breached + EXCLUDED.breached,
        late_minutes = d.late_minutes + EXCLUDED.late_minutes,
        late_count = d.late_count + EXCLUDED.late_count;
"""

_REQUEST_COLUMNS = (
    "organization_id, created_at, serving_department_id, requesting_department_id, "
    "request_type_id, priority"
)

_REQUEST_APPLY = """
    INSERT INTO requests_sla_requestday AS d (organization_id, fine, day, serving_department_id,
        requesting_department_id, request_type_id, priority, filed)
    SELECT x.organization_id, g.fine, (x.created_at AT TIME ZONE o.timezone)::date,
        x.serving_department_id, coalesce(x.requesting_department_id, 0), g.type_id, g.prio,
        sum(x.s)
    FROM ({source}) x JOIN departments_organization o ON o.id = x.organization_id
    CROSS JOIN LATERAL (VALUES (true, x.request_type_id, x.priority),
        (false, 0::bigint, ''::varchar)) g(fine, type_id, prio)
    GROUP BY 1, 2, 3, 4, 5, 6, 7
    HAVING sum(x.s) <> 0
    ORDER BY 1, 2, 3, 4, 5, 6, 7
    ON CONFLICT (organization_id, fine, day, serving_department_id, requesting_department_id,
        request_type_id, priority)
    DO UPDATE SET filed = d.filed + EXCLUDED.filed;
"""


def _statement_rows(columns: str, table: str, sign: int) -> str:
    return f"SELECT {columns}, {sign} AS s FROM {table}"  # noqa: S608 (constants)


ROLLUP_TRIGGERS_SQL = f"""
{
    statement_triggers(
        "dashboard_outcome_day",
        "requests_sla_slaoutcome",
        inserted=_OUTCOME_APPLY.format(source=_statement_rows(_OUTCOME_COLUMNS, "new_rows", 1)),
        updated=_OUTCOME_APPLY.format(
            source=_statement_rows(_OUTCOME_COLUMNS, "new_rows", 1)
            + " UNION ALL "
            + _statement_rows(_OUTCOME_COLUMNS, "old_rows", -1)
        ),
        deleted=_OUTCOME_APPLY.format(source=_statement_rows(_OUTCOME_COLUMNS, "old_rows", -1)),
    )
}

CREATE FUNCTION dashboard_request_day_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        {_REQUEST_APPLY.format(source=_statement_rows(_REQUEST_COLUMNS, "new_rows", 1))}
    ELSE
        {_REQUEST_APPLY.format(source=_statement_rows(_REQUEST_COLUMNS, "old_rows", -1))}
    END IF;
    RETURN NULL;
END $$;
-- An update moves a request between keys only when a dimension or its
-- filing instant changes (a transfer): a row trigger, guarded by WHEN, so
-- status and SLA-cache updates do not call it at all.
CREATE FUNCTION dashboard_request_day_move() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {
    _REQUEST_APPLY.format(
        source="SELECT OLD.organization_id, OLD.created_at, OLD.serving_department_id, OLD.requesting_department_id, OLD.request_type_id, OLD.priority, -1 AS s UNION ALL SELECT NEW.organization_id, NEW.created_at, NEW.serving_department_id, NEW.requesting_department_id, NEW.request_type_id, NEW.priority, 1"
    )
}
    RETURN NULL;
END $$;
CREATE TRIGGER dashboard_request_day_ins AFTER INSERT ON requests_sla_request
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION dashboard_request_day_apply();
CREATE TRIGGER dashboard_request_day_del AFTER DELETE ON requests_sla_request
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION dashboard_request_day_apply();
CREATE TRIGGER dashboard_request_day_upd AFTER UPDATE ON requests_sla_request
    FOR EACH ROW WHEN (
        (OLD.organization_id, OLD.created_at, OLD.serving_department_id,
         OLD.requesting_department_id, OLD.request_type_id, OLD.priority)
        IS DISTINCT FROM
        (NEW.organization_id, NEW.created_at, NEW.serving_department_id,
         NEW.requesting_department_id, NEW.request_type_id, NEW.priority))
    EXECUTE FUNCTION dashboard_request_day_move();

-- Existing data.
{_OUTCOME_APPLY.format(source=_statement_rows(_OUTCOME_COLUMNS, "requests_sla_slaoutcome", 1))}
{_REQUEST_APPLY.format(source=_statement_rows(_REQUEST_COLUMNS, "requests_sla_request", 1))}

-- The live list (open requests, at risk or breached, due first) and the
-- backlog by age, for the whole organization: an ordered, index-only read of
-- the open requests (request_open_queue_idx leads with the serving
-- department, so it only serves a filtered view).
CREATE INDEX request_open_due_idx ON requests_sla_request
    (organization_id, sla_due_at, created_at, id)
    INCLUDE (sla_state, serving_department_id, requesting_department_id, request_type_id, priority)
    WHERE status IN ('new', 'acknowledged', 'in_progress', 'waiting_on_requester');
"""

ROLLUP_TRIGGERS_DROP_SQL = """
DROP INDEX IF EXISTS request_open_due_idx;
DROP TRIGGER IF EXISTS dashboard_request_day_upd ON requests_sla_request;
DROP TRIGGER IF EXISTS dashboard_request_day_del ON requests_sla_request;
DROP TRIGGER IF EXISTS dashboard_request_day_ins ON requests_sla_request;
DROP TRIGGER IF EXISTS dashboard_outcome_day_del ON requests_sla_slaoutcome;
DROP TRIGGER IF EXISTS dashboard_outcome_day_upd ON requests_sla_slaoutcome;
DROP TRIGGER IF EXISTS dashboard_outcome_day_ins ON requests_sla_slaoutcome;
DROP FUNCTION IF EXISTS dashboard_request_day_move();
DROP FUNCTION IF EXISTS dashboard_request_day_apply();
DROP FUNCTION IF EXISTS dashboard_outcome_day_apply();
"""


# The histogram of stopped timers per month (see
# requests_sla.reporting.models.SlaStoppedMonth) is kept by PostgreSQL like the
# daily rollups of 0006: each statement's net change per key, keys in order,
# nothing written for a change that nets to zero (an upsert that kept the
# stop instant and the minutes).

_STOPPED_COLUMNS = "organization_id, stopped_at, kind, elapsed_minutes"

_STOPPED_APPLY = """
    INSERT INTO requests_sla_slastoppedmonth AS d (organization_id, month, kind, elapsed_minutes,
        stopped)
    SELECT x.organization_id, date_trunc('month', x.stopped_at AT TIME ZONE o.timezone)::date,
        x.kind, x.elapsed_minutes, sum(x.s)
    FROM ({source}) x JOIN departments_organization o ON o.id = x.organization_id
    WHERE x.stopped_at IS NOT NULL
    GROUP BY 1, 2, 3, 4
    HAVING sum(x.s) <> 0
    ORDER BY 1, 2, 3, 4
    ON CONFLICT (organization_id, month, kind, elapsed_minutes)
    DO UPDATE SET stopped = d.stopped + EXCLUDED.stopped;
"""


def _stopped_rows(table: str, sign: int) -> str:
    return f"SELECT {_STOPPED_COLUMNS}, {sign} AS s FROM {table}"  # noqa: S608 (constants)


STOPPED_MONTH_TRIGGERS_SQL = f"""
{
    statement_triggers(
        "dashboard_stopped_month",
        "requests_sla_slaoutcome",
        inserted=_STOPPED_APPLY.format(source=_stopped_rows("new_rows", 1)),
        updated=_STOPPED_APPLY.format(
            source=_stopped_rows("new_rows", 1) + " UNION ALL " + _stopped_rows("old_rows", -1)
        ),
        deleted=_STOPPED_APPLY.format(source=_stopped_rows("old_rows", -1)),
    )
}

-- Existing data.
{_STOPPED_APPLY.format(source=_stopped_rows("requests_sla_slaoutcome", 1))}
"""

STOPPED_MONTH_TRIGGERS_DROP_SQL = """
DROP TRIGGER IF EXISTS dashboard_stopped_month_del ON requests_sla_slaoutcome;
DROP TRIGGER IF EXISTS dashboard_stopped_month_upd ON requests_sla_slaoutcome;
DROP TRIGGER IF EXISTS dashboard_stopped_month_ins ON requests_sla_slaoutcome;
DROP FUNCTION IF EXISTS dashboard_stopped_month_apply();
"""
