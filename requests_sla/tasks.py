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

from collab.tenancy import tenant_task

log = logging.getLogger(__name__)

RETRY = {
    "autoretry_for": (Exception,),
    "retry_backoff": 5,
    "retry_backoff_max": 300,  # < visibility_timeout
    "retry_jitter": True,
    "max_retries": 5,
}
LIMITS = {"acks_late": True, "soft_time_limit": 240, "time_limit": 300}


@shared_task(name="requests_sla.sla_sweep", **LIMITS, **RETRY)
def sla_sweep_task() -> dict:
    """Beat's entry point: one sweep over every organization's due timers.
    Safe to overlap with another sweep (rows are claimed, steps are unique)."""
    from .services.escalation import sla_sweep

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


@shared_task(name="requests_sla.deliveries_flush", **LIMITS, **RETRY)
@tenant_task
def deliveries_flush_task(*, organization_id: int) -> dict:
    from .services.notifications import deliveries_flush

    return deliveries_flush(organization_id=organization_id)


@shared_task(name="requests_sla.deliveries_sweep", **LIMITS, **RETRY)
def deliveries_sweep_task() -> int:
    """Held emails (quiet hours) and webhook retries whose time has come."""
    from .services.notifications import organizations_with_due_deliveries

    organizations = organizations_with_due_deliveries()
    for organization_id in organizations:
        deliveries_flush_task.delay(organization_id=organization_id)
    return len(organizations)
