"""Keep ``SlaOutcome`` (the dashboard's summary of timer outcomes) in step
with the timers. See ``models_dashboard`` for why the table exists.

``outcome_sync`` is called by ``timer_recompute`` after it saves a timer:
one statement (an upsert, or a delete when the timer has no counted
outcome), in the caller's transaction; ``outcomes_sync_many`` does the same
for a batch of timers in two statements (the escalation sweep). ``outcomes_rebuild`` reconciles a
whole organization in three set-based statements; it is idempotent and is
what the nightly task and the benchmark run.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection

from requests_sla.sla.models import SlaOutcome, SlaTimer, StopReason, TimerKind, timer_request_model

COUNTED_KINDS = (TimerKind.RESPONSE, TimerKind.RESOLUTION)
# A timer stopped on time counts as met only when the serving department did
# the work; one stopped by a cancel, reject or transfer before its due time
# was never tested, so it is left out of the formula (a breach still counts).
MET_STOP_REASONS = (StopReason.ACKNOWLEDGED, StopReason.RESOLVED)

_T = SlaTimer._meta.db_table
_R = timer_request_model()._meta.db_table
_O = SlaOutcome._meta.db_table


def counts(timer: SlaTimer) -> bool:
    if timer.kind not in COUNTED_KINDS:
        return False
    if timer.breached_at is not None:
        return True
    return (
        timer.stopped_at is not None and bool(timer.met) and timer.stop_reason in MET_STOP_REASONS
    )


def outcome_sync(timer: SlaTimer) -> None:
    with connection.cursor() as cursor:
        if not counts(timer):
            cursor.execute(
                f"DELETE FROM {_O} WHERE organization_id = %s AND timer_id = %s",  # noqa: S608
                [timer.organization_id, timer.pk],
            )
            return
        breached = timer.breached_at is not None
        decided_at = timer.breached_at if breached else timer.stopped_at
        late = max(0, -timer.remaining_minutes) if timer.stopped_at is not None else 0
        cursor.execute(
            f"""
            INSERT INTO {_O} (organization_id, timer_id, request_id, kind, serving_department_id,
                requesting_department_id, request_type_id, priority, decided_at, stopped_at,
                met, breached, elapsed_minutes, late_minutes)
            SELECT r.organization_id, %s, r.id, %s, r.serving_department_id,
                r.requesting_department_id, r.request_type_id, r.priority, %s, %s, %s, %s, %s, %s
            FROM {_R} r WHERE r.id = %s
            ON CONFLICT (organization_id, timer_id) DO UPDATE SET
                decided_at = EXCLUDED.decided_at, stopped_at = EXCLUDED.stopped_at,
                met = EXCLUDED.met, breached = EXCLUDED.breached,
                elapsed_minutes = EXCLUDED.elapsed_minutes, late_minutes = EXCLUDED.late_minutes
            """,  # noqa: S608
            [
                timer.pk,
                timer.kind,
                decided_at,
                timer.stopped_at,
                not breached,
                breached,
                timer.elapsed_minutes,
                late,
                timer.request_id,
            ],
        )


def outcomes_sync_many(timers: Iterable[SlaTimer]) -> None:
    """``outcome_sync`` for many timers in two statements (a delete for those
    with no counted outcome, one upsert for the rest), in the caller's
    transaction. The escalation sweep calls it once per batch."""
    timers = list(timers)
    gone = [t for t in timers if not counts(t)]
    kept = [t for t in timers if counts(t)]
    with connection.cursor() as cursor:
        if gone:
            cursor.execute(
                f"DELETE FROM {_O} WHERE organization_id = ANY(%s) AND timer_id = ANY(%s)",  # noqa: S608
                [sorted({t.organization_id for t in gone}), [t.pk for t in gone]],
            )
        if not kept:
            return
        rows = []
        for timer in kept:
            breached = timer.breached_at is not None
            rows.append(
                (
                    timer.pk,
                    timer.request_id,
                    timer.kind,
                    timer.breached_at if breached else timer.stopped_at,
                    timer.stopped_at,
                    not breached,
                    breached,
                    timer.elapsed_minutes,
                    max(0, -timer.remaining_minutes) if timer.stopped_at is not None else 0,
                )
            )
        columns = list(zip(*rows, strict=True))
        cursor.execute(
            f"""
            INSERT INTO {_O} (organization_id, timer_id, request_id, kind, serving_department_id,
                requesting_department_id, request_type_id, priority, decided_at, stopped_at,
                met, breached, elapsed_minutes, late_minutes)
            SELECT r.organization_id, v.timer_id, r.id, v.kind, r.serving_department_id,
                r.requesting_department_id, r.request_type_id, r.priority, v.decided_at,
                v.stopped_at, v.met, v.breached, v.elapsed_minutes, v.late_minutes
            FROM unnest(%s::bigint[], %s::bigint[], %s::varchar[], %s::timestamptz[],
                %s::timestamptz[], %s::boolean[], %s::boolean[], %s::integer[], %s::integer[])
                AS v(timer_id, request_id, kind, decided_at, stopped_at, met, breached,
                    elapsed_minutes, late_minutes)
            JOIN {_R} r ON r.id = v.request_id
            ON CONFLICT (organization_id, timer_id) DO UPDATE SET
                decided_at = EXCLUDED.decided_at, stopped_at = EXCLUDED.stopped_at,
                met = EXCLUDED.met, breached = EXCLUDED.breached,
                elapsed_minutes = EXCLUDED.elapsed_minutes, late_minutes = EXCLUDED.late_minutes
            """,  # noqa: S608
            [list(c) for c in columns],
        )


# The same rule as ``counts``, in SQL over the timer table aliased ``t``.
_COUNTS_SQL = """
    t.kind IN ('response', 'resolution') AND (
        t.breached_at IS NOT NULL
        OR (t.stopped_at IS NOT NULL AND t.met AND t.stop_reason IN ('acknowledged', 'resolved'))
    )"""


def outcomes_rebuild(organization_id: int) -> int:
    """Reconcile the organization's outcomes with its timers; returns the
    number of rows written. Existing rows keep their dimensions
    (captured when first written); only the outcome columns are refreshed."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            DELETE FROM {_O} WHERE organization_id = %s AND NOT EXISTS (
                SELECT 1 FROM {_T} t WHERE t.id = {_O}.timer_id AND {_COUNTS_SQL})
            """,  # noqa: S608
            [organization_id],
        )
        cursor.execute(
            f"""
            INSERT INTO {_O} (organization_id, timer_id, request_id, kind, serving_department_id,
                requesting_department_id, request_type_id, priority, decided_at, stopped_at,
                met, breached, elapsed_minutes, late_minutes)
            SELECT t.organization_id, t.id, r.id, t.kind, r.serving_department_id,
                r.requesting_department_id, r.request_type_id, r.priority,
                COALESCE(t.breached_at, t.stopped_at), t.stopped_at,
                t.breached_at IS NULL, t.breached_at IS NOT NULL, t.elapsed_minutes,
                CASE WHEN t.stopped_at IS NULL OR t.remaining_minutes >= 0 THEN 0 ELSE -t.remaining_minutes END
            FROM {_T} t JOIN {_R} r ON r.id = t.request_id
            WHERE t.organization_id = %s AND {_COUNTS_SQL}
            ON CONFLICT (organization_id, timer_id) DO UPDATE SET
                decided_at = EXCLUDED.decided_at, stopped_at = EXCLUDED.stopped_at,
                met = EXCLUDED.met, breached = EXCLUDED.breached,
                elapsed_minutes = EXCLUDED.elapsed_minutes, late_minutes = EXCLUDED.late_minutes
            """,  # noqa: S608
            [organization_id],
        )
        return int(cursor.rowcount)
