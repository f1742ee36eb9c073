"""The nightly expiry of quotes: a sent quote past its validity becomes
``expired`` (``lifecycle.quotes_expire``, one conditional UPDATE per
organization: safe to run twice and concurrently)."""

from __future__ import annotations

import logging

from celery import shared_task
from django.utils import timezone

log = logging.getLogger(__name__)


@shared_task(name="pricing.quotes_expire", acks_late=True, soft_time_limit=600, time_limit=660)
def quotes_expire_task() -> int:
    from departments.models import Organization
    from pricing.quotes.lifecycle import quotes_expire

    # Organizations are the tenants themselves, not tenant rows: no scope needed.
    expired = 0
    for organization_id in Organization.objects.values_list("pk", flat=True):
        expired += quotes_expire(organization_id=organization_id, today=timezone.localdate())
    log.info("quotes expired: %s", expired)
    return expired
