"""The scaffold of a rollup kept by PostgreSQL statement triggers: one
plpgsql function that applies each statement's rows (inserted, the new and
old rows of an update, deleted) and the three ``FOR EACH STATEMENT``
triggers with their transition tables. The SQL of what is applied is the
caller's; the rollups of the SLA dashboard (requests_sla.reporting) and of
the sprints (incentives.sprints) share this text, which their migrations
ran: keep its output unchanged (a change is a new migration)."""

from __future__ import annotations


def statement_triggers(name: str, table: str, *, inserted: str, updated: str, deleted: str) -> str:
    """``<name>_apply()`` and the triggers ``<name>_ins``/``_upd``/``_del`` on
    ``table``; ``inserted``/``updated``/``deleted`` read ``new_rows`` and
    ``old_rows``."""
    return f"""CREATE FUNCTION {name}_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        {inserted}
    ELSIF TG_OP = 'UPDATE' THEN
        {updated}
    ELSE
        {deleted}
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER {name}_ins AFTER INSERT ON {table}
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION {name}_apply();
CREATE TRIGGER {name}_upd AFTER UPDATE ON {table}
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION {name}_apply();
CREATE TRIGGER {name}_del AFTER DELETE ON {table}
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION {name}_apply();"""
