"""The assessment's clock: an R&D feasibility request (the catalog's
``rnd_feasibility`` type) filed for the requirement, so its response, its
"feasibility answer" milestone and its resolution run on the same SLA engine
and escalate through the same sweep as any request; no second timer."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.urls import reverse

from requests_sla.catalog.models import RequestType
from requests_sla.requests import permissions as request_permissions
from requests_sla.requests.models import OPEN_STATUSES, Request, Status
from requests_sla.requests.services import (
    request_acknowledge,
    request_milestone_complete,
    request_reject,
    request_resolve,
)

if TYPE_CHECKING:
    from departments.models import Membership
    from pipeline.accounts.models import Account
    from pipeline.opportunities.models import Opportunity
    from roadmap.models import Requirement

ASSESSMENT_TYPE = "rnd_feasibility"
MILESTONE = "feasibility"


def assessment_request_file(
    requirement: Requirement,
    *,
    actor: Membership,
    at: dt.datetime,
    pairs: Sequence[tuple[Account, Opportunity | None]],
) -> Request | None:
    """File the feasibility request for the requirement (none when the
    organization has no such type)."""
    from requests_sla.requests.services import request_file

    request_type = (
        RequestType.objects.filter(code=ASSESSMENT_TYPE, is_active=True)
        .select_related("serving_department")
        .first()
    )
    if request_type is None:
        return None
    deal = next((d for _a, d in pairs if d is not None), None)
    request = request_file(
        actor=actor,
        request_type=request_type,
        title=f"{requirement.reference} {requirement.title}"[:200],
        description=reverse("roadmap:requirement", args=[requirement.pk]),
        extra={
            "background": requirement.background,
            "pain_point": requirement.pain_point,
            "expected_outcome": requirement.expected_outcome,
        },
        account_id=None if deal else pairs[0][0].pk,
        opportunity_id=deal.pk if deal else None,
        at=at,
    )
    requirement.assessment_request = request
    requirement.save(update_fields=["assessment_request"])
    return request


def _open_request(requirement: Requirement, actor: Membership, action: str) -> Request | None:
    if requirement.assessment_request_id is None:
        return None
    request = Request.objects.get(pk=requirement.assessment_request_id)
    if request.status not in OPEN_STATUSES:
        return None
    if not request_permissions.can(actor, action, request):
        # Product co-serves the request (wiring.py) and resolves it like R&D;
        # queue management (reject, on a merge) stays with R&D's head.
        return None
    return request


def assessment_request_acknowledge(
    requirement: Requirement, *, actor: Membership, at: dt.datetime
) -> None:
    request = _open_request(requirement, actor, "acknowledge")
    if request is not None and request.status == Status.NEW:
        request_acknowledge(request=request, actor=actor, at=at)


def assessment_request_done(
    requirement: Requirement, *, actor: Membership, at: dt.datetime, summary: str
) -> None:
    """The assessment is in: the milestone is met and the request resolved."""
    request = _open_request(requirement, actor, "resolve")
    if request is None:
        return
    if request.timers.filter(
        key=MILESTONE, stopped_at__isnull=True, superseded_at__isnull=True
    ).exists():
        request_milestone_complete(request=request, actor=actor, key=MILESTONE, at=at)
    request_resolve(request=request, actor=actor, resolution=summary, at=at)


def assessment_request_withdraw(
    requirement: Requirement, *, actor: Membership, at: dt.datetime, reason: str
) -> None:
    request = _open_request(requirement, actor, "reject")
    if request is not None:
        request_reject(request=request, actor=actor, reason=reason, at=at)
