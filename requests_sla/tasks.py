"""Celery tasks of the collaboration engine: small, idempotent, DB-driven.

Tasks take ids and the organization id (``tenant_task`` sets and resets the
scope), are enqueued with ``transaction.on_commit``, run with ``acks_late``
and time limits, and retry with a backoff capped well below the broker's
visibility timeout (3600 s), so a retry is never overtaken by a redelivery.
Deadlines are never ETA/countdown tasks: beat runs the sweep, and the sweep
reads the due rows from PostgreSQL.
"""

from __future__ import annotations

import logging

from celery import shared_task

from collab.tasks import LIMITS, RETRY

log = logging.getLogger(__name__)


@shared_task(name="requests_sla.sla_sweep", **LIMITS, **RETRY)
def sla_sweep_task() -> dict:
    """Beat's entry point: one sweep over every organization's due timers.
    Safe to overlap with another sweep (rows are claimed, steps are unique)."""
    from requests_sla.services.escalation import sla_sweep

    report = sla_sweep(max_seconds=200)
    log.info(
        "sla sweep: examined=%s escalations=%s meetings=%s notifications=%s %.2fs",
        report.examined,
        len(report.escalations),
        report.meetings_created,
        report.notifications,
        report.seconds,
    )
    return {"examined": report.examined, "escalations": len(report.escalations)}


