"""The nightly Finance run (Celery beat): expired reservations released,
then the payment-risk rules evaluated incrementally, per organization."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="finance.risk_nightly", acks_late=True, soft_time_limit=1800, time_limit=1900)
def risk_nightly() -> int:
    from django.utils import timezone

    from departments.models import Organization
    from finance.budgets.services import reservations_expire
    from finance.risk.services import risk_evaluate

    # One date for the whole run, read once: every organization is checked
    # against the same day, even when the run crosses midnight. Sundays a
    # full run catches what the incremental one cannot see (a payment plan
    # deleted after its deal was checked).
    today = timezone.localdate()
    full = today.weekday() == 6
    # Organizations are the tenants themselves, not tenant rows: no scope needed.
    organization_ids = list(Organization.objects.values_list("pk", flat=True))
    raised = 0
    for organization_id in organization_ids:
        reservations_expire(organization_id=organization_id, today=today)
        raised += risk_evaluate(organization_id=organization_id, full=full).raised
    return raised
