"""Beat's roadmap task: create the coming review boards (exactly once each),
bring deferred requirements back, close validations whose window ended.
Safe to run twice or concurrently (unique slots, SKIP LOCKED claims)."""

from __future__ import annotations

import logging

from celery import shared_task

from collab.tasks import LIMITS, RETRY
from roadmap.services.boards import boards_schedule, deferred_revisit, organizations_with_boards
from roadmap.services.prototypes import validations_close

log = logging.getLogger(__name__)


@shared_task(name="roadmap.sweep", **LIMITS, **RETRY)
def roadmap_sweep_task() -> dict:
    totals = {"boards": 0, "revisited": 0, "validations_closed": 0}
    for organization_id in organizations_with_boards():
        totals["boards"] += boards_schedule(organization_id=organization_id)
        totals["revisited"] += deferred_revisit(organization_id=organization_id)
        totals["validations_closed"] += validations_close(organization_id=organization_id)
    log.info("roadmap sweep: %s", totals)
    return totals
