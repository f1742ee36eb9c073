"""The dashboard's safety net (issue 5).

``SlaOutcome`` is kept in step synchronously by ``timer_recompute``; this
nightly task reconciles it for every organization with timers, catching
writes that bypassed the services (bulk imports, SQL fixes). Idempotent and
safe to run concurrently: it is three set-based statements per organization
whose result depends only on the timers.
"""

from __future__ import annotations

import logging

from celery import shared_task

from collab.tenancy import organization_scope

log = logging.getLogger(__name__)


@shared_task(
    name="requests_sla.dashboard_outcomes_rebuild",
    acks_late=True,
    soft_time_limit=1800,
    time_limit=1900,
)
def dashboard_outcomes_rebuild_task() -> int:
    from departments.models import Organization
    from requests_sla.sla.outcomes import outcomes_rebuild

    # Organizations are the tenants themselves, not tenant rows: no scope needed.
    organization_ids = list(Organization.objects.values_list("pk", flat=True))
    written = 0
    for organization_id in organization_ids:
        with organization_scope(organization_id):
            written += outcomes_rebuild(organization_id)
    log.info("dashboard outcomes rebuilt: %s rows written", written)
    return written
