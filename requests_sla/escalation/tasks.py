"""Beat's entry point (task name requests_sla.sla_sweep: beat schedules refer to it)."""

from __future__ import annotations

import logging

from celery import shared_task

from collab.tasks import LIMITS, RETRY
from requests_sla.escalation.services import sla_sweep

log = logging.getLogger(__name__)


@shared_task(name="requests_sla.sla_sweep", **LIMITS, **RETRY)
def sla_sweep_task() -> dict:
    """Beat's entry point: one sweep over every organization's due timers.
    Safe to overlap with another sweep (rows are claimed, steps are unique)."""
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
