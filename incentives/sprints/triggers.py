"""The SQL of the credit rollups' triggers (``CreditDay``), which migration
``0002_rollups`` installs. These constants are what that migration ran:
never edit them; a change is a new migration and a new constant.

Each statement's net change per key is applied once, keys in order (no
deadlock between two writers), to the day row and the month row; a change
that nets to zero (an update of a deal's next step) writes nothing.

* deals (``pipeline_opportunity``, any statement): ``won`` += the amount of
  the deals in a won stage, on the local day (organization's timezone) of
  ``stage_entered_at``; ``weighted`` += amount × probability of the open
  deals (neither won nor lost) on their expected close day; minus what the
  old rows counted;
* a stage becoming won, lost or open: its deals counted anew;
* payments (``finance_payment``, any statement): ``collected`` += the
  amount on the received day, for the owner of the payment's invoice;
* an invoice changing owner: its payments move from one rep to the other;
* an organization changing timezone: its rollups are rebuilt.
"""

from __future__ import annotations

from collab.triggers import statement_triggers

_APPLY = """
    INSERT INTO incentives_creditday AS d (organization_id, grain, day, owner_id, currency,
        won, collected, weighted)
    SELECT x.organization_id, g.grain,
        CASE WHEN g.grain = 'm' THEN date_trunc('month', x.day)::date ELSE x.day END,
        x.owner_id, x.currency, sum(x.won), sum(x.collected), sum(x.weighted)
    FROM ({source}) x CROSS JOIN (VALUES ('d'), ('m')) g(grain)
    GROUP BY 1, 2, 3, 4, 5
    HAVING sum(x.won) <> 0 OR sum(x.collected) <> 0 OR sum(x.weighted) <> 0
    ORDER BY 1, 2, 3, 4, 5
    ON CONFLICT (organization_id, grain, day, owner_id, currency)
    DO UPDATE SET won = d.won + EXCLUDED.won, collected = d.collected + EXCLUDED.collected,
        weighted = d.weighted + EXCLUDED.weighted;
"""


def _deals(
    rows: str,
    sign: str,
    where: str = "true",
    won: str = "st.is_won",
    lost: str = "st.is_lost",
) -> str:
    """A won deal counts its amount on its win day; an open one (neither won
    nor lost) its amount × probability on its expected close day."""
    return f"""
        SELECT o.organization_id,
            CASE WHEN {won} THEN (o.stage_entered_at AT TIME ZONE z.timezone)::date
                 ELSE o.expected_close_date END AS day,
            o.owner_id, o.currency,
            CASE WHEN {won} THEN {sign} * o.amount ELSE 0 END AS won, 0::numeric AS collected,
            CASE WHEN {won} THEN 0 ELSE {sign} * o.amount * o.probability END AS weighted
        FROM {rows} o JOIN pipeline_stage st ON st.id = o.stage_id
        JOIN departments_organization z ON z.id = o.organization_id
        WHERE o.owner_id IS NOT NULL AND ({won} OR NOT {lost}) AND {where}"""  # noqa: S608 (constants)


def _collected(rows: str, sign: str, owner: str = "i.owner_id", where: str = "true") -> str:
    return f"""
        SELECT p.organization_id, p.received_on AS day, {owner} AS owner_id, p.currency,
            0::numeric AS won, {sign} * p.amount AS collected, 0::numeric AS weighted
        FROM {rows} p JOIN finance_invoice i ON i.id = p.invoice_id
        WHERE {owner} IS NOT NULL AND {where}"""  # noqa: S608 (constants)


def _apply(*sources: str) -> str:
    return _APPLY.format(source=" UNION ALL ".join(sources))


ROLLUP_TRIGGERS_SQL = f"""
{
    statement_triggers(
        "incentives_credit_won",
        "pipeline_opportunity",
        inserted=_apply(_deals("new_rows", "1")),
        updated=_apply(_deals("new_rows", "1"), _deals("old_rows", "-1")),
        deleted=_apply(_deals("old_rows", "-1")),
    )
}

CREATE FUNCTION incentives_credit_stage_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- The stage's deals counted as the new flags say, less as the old ones did.
    {
    _apply(
        _deals("pipeline_opportunity", "1", "o.stage_id = NEW.id", "NEW.is_won", "NEW.is_lost"),
        _deals("pipeline_opportunity", "-1", "o.stage_id = NEW.id", "OLD.is_won", "OLD.is_lost"),
    )
}
    RETURN NULL;
END $$;
CREATE TRIGGER incentives_credit_stage_upd AFTER UPDATE ON pipeline_stage
    FOR EACH ROW WHEN ((OLD.is_won, OLD.is_lost) IS DISTINCT FROM (NEW.is_won, NEW.is_lost))
    EXECUTE FUNCTION incentives_credit_stage_apply();

{
    statement_triggers(
        "incentives_credit_paid",
        "finance_payment",
        inserted=_apply(_collected("new_rows", "1")),
        updated=_apply(_collected("new_rows", "1"), _collected("old_rows", "-1")),
        deleted=_apply(_collected("old_rows", "-1")),
    )
}

CREATE FUNCTION incentives_credit_invoice_move() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {
    _apply(
        _collected("finance_payment", "1", "NEW.owner_id", "i.id = NEW.id"),
        _collected("finance_payment", "-1", "OLD.owner_id", "i.id = NEW.id"),
    )
}
    RETURN NULL;
END $$;
CREATE TRIGGER incentives_credit_invoice_upd AFTER UPDATE ON finance_invoice
    FOR EACH ROW WHEN (OLD.owner_id IS DISTINCT FROM NEW.owner_id)
    EXECUTE FUNCTION incentives_credit_invoice_move();

CREATE FUNCTION incentives_credit_rebuild(org bigint) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM incentives_creditday WHERE organization_id = org;
    {
    _apply(
        _deals("pipeline_opportunity", "1", "o.organization_id = org"),
        _collected("finance_payment", "1", "i.owner_id", "p.organization_id = org"),
    )
}
END $$;
CREATE FUNCTION incentives_credit_timezone() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM incentives_credit_rebuild(NEW.id);
    RETURN NULL;
END $$;
CREATE TRIGGER incentives_credit_timezone_upd AFTER UPDATE ON departments_organization
    FOR EACH ROW WHEN (OLD.timezone IS DISTINCT FROM NEW.timezone)
    EXECUTE FUNCTION incentives_credit_timezone();

-- Existing data.
{_apply(_deals("pipeline_opportunity", "1"), _collected("finance_payment", "1"))}
"""  # noqa: S608 (constants)

ROLLUP_TRIGGERS_DROP_SQL = """
DROP TRIGGER IF EXISTS incentives_credit_timezone_upd ON departments_organization;
DROP TRIGGER IF EXISTS incentives_credit_invoice_upd ON finance_invoice;
DROP TRIGGER IF EXISTS incentives_credit_paid_del ON finance_payment;
DROP TRIGGER IF EXISTS incentives_credit_paid_upd ON finance_payment;
DROP TRIGGER IF EXISTS incentives_credit_paid_ins ON finance_payment;
DROP TRIGGER IF EXISTS incentives_credit_stage_upd ON pipeline_stage;
DROP TRIGGER IF EXISTS incentives_credit_won_del ON pipeline_opportunity;
DROP TRIGGER IF EXISTS incentives_credit_won_upd ON pipeline_opportunity;
DROP TRIGGER IF EXISTS incentives_credit_won_ins ON pipeline_opportunity;
DROP FUNCTION IF EXISTS incentives_credit_timezone();
DROP FUNCTION IF EXISTS incentives_credit_rebuild(bigint);
DROP FUNCTION IF EXISTS incentives_credit_invoice_move();
DROP FUNCTION IF EXISTS incentives_credit_paid_apply();
DROP FUNCTION IF EXISTS incentives_credit_stage_apply();
DROP FUNCTION IF EXISTS incentives_credit_won_apply();
"""
