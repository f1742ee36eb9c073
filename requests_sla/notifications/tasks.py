"""Celery tasks of the outboxes (names are stable: beat schedules refer to them)."""

from __future__ import annotations

from celery import shared_task

from collab.tasks import LIMITS, RETRY, enqueue
from collab.tenancy import tenant_task
from requests_sla.notifications.outbox import deliveries_flush, organizations_with_due_deliveries


@shared_task(name="requests_sla.deliveries_flush", **LIMITS, **RETRY)
@tenant_task
def deliveries_flush_task(*, organization_id: int) -> dict:
    return deliveries_flush(organization_id=organization_id)


@shared_task(name="requests_sla.deliveries_sweep", **LIMITS, **RETRY)
def deliveries_sweep_task() -> int:
    """Held emails (quiet hours) and webhook retries whose time has come."""
    organizations = organizations_with_due_deliveries()
    for organization_id in organizations:
        enqueue(deliveries_flush_task, organization_id=organization_id)
    return len(organizations)
