"""Celery tasks of the collaboration engine: small, idempotent, DB-driven.

Each task lives in its sub-domain's ``tasks.py``; this module is where
Celery's autodiscovery (``<app>.tasks``) finds them all. Task names are
stable (beat schedules and queued messages refer to them by name).

Tasks take ids and the organization id (``tenant_task`` sets and resets the
scope), are enqueued with ``transaction.on_commit``, run with ``acks_late``
and time limits, and retry with a backoff capped well below the broker's
visibility timeout (3600 s), so a retry is never overtaken by a redelivery
(``collab.tasks``). Deadlines are never ETA/countdown tasks: beat runs the
sweep, and the sweep reads the due rows from PostgreSQL.
"""

from requests_sla.escalation.tasks import sla_sweep_task
from requests_sla.notifications.tasks import deliveries_flush_task, deliveries_sweep_task
from requests_sla.reporting.tasks import dashboard_outcomes_rebuild_task

__all__ = [
    "dashboard_outcomes_rebuild_task",
    "deliveries_flush_task",
    "deliveries_sweep_task",
    "sla_sweep_task",
]
