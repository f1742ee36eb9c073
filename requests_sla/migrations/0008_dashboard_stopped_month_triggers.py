from django.db import migrations

# The histogram of stopped timers per month (see
# requests_sla.models_dashboard.SlaStoppedMonth) is kept by PostgreSQL like the
# daily rollups of 0006: each statement's net change per key, keys in order,
# nothing written for a change that nets to zero (an upsert that kept the
# stop instant and the minutes).

_COLUMNS = "organization_id, stopped_at, kind, elapsed_minutes"

_APPLY = """
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


def _rows(table: str, sign: int) -> str:
    return f"SELECT {_COLUMNS}, {sign} AS s FROM {table}"  # noqa: S608 (constants)


TRIGGERS_SQL = f"""
CREATE FUNCTION dashboard_stopped_month_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        {_APPLY.format(source=_rows("new_rows", 1))}
    ELSIF TG_OP = 'UPDATE' THEN
        {_APPLY.format(source=_rows("new_rows", 1) + " UNION ALL " + _rows("old_rows", -1))}
    ELSE
        {_APPLY.format(source=_rows("old_rows", -1))}
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER dashboard_stopped_month_ins AFTER INSERT ON requests_sla_slaoutcome
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION dashboard_stopped_month_apply();
CREATE TRIGGER dashboard_stopped_month_upd AFTER UPDATE ON requests_sla_slaoutcome
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION dashboard_stopped_month_apply();
CREATE TRIGGER dashboard_stopped_month_del AFTER DELETE ON requests_sla_slaoutcome
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION dashboard_stopped_month_apply();

-- Existing data.
{_APPLY.format(source=_rows("requests_sla_slaoutcome", 1))}
"""

TRIGGERS_DROP_SQL = """
DROP TRIGGER IF EXISTS dashboard_stopped_month_del ON requests_sla_slaoutcome;
DROP TRIGGER IF EXISTS dashboard_stopped_month_upd ON requests_sla_slaoutcome;
DROP TRIGGER IF EXISTS dashboard_stopped_month_ins ON requests_sla_slaoutcome;
DROP FUNCTION IF EXISTS dashboard_stopped_month_apply();
"""


def triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(TRIGGERS_SQL)


def triggers_drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(TRIGGERS_DROP_SQL)


class Migration(migrations.Migration):
    dependencies = [("requests_sla", "0007_dashboard_stopped_month")]

    operations = [migrations.RunPython(triggers, triggers_drop)]
