"""R&D / Product's assessment of a requirement (its clock: services.clock)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from collab.errors import ServiceError
from roadmap import permissions
from roadmap.models import Feasibility, Requirement, State
from roadmap.services.clock import assessment_request_acknowledge, assessment_request_done
from roadmap.services.requirements import require, requirement_transition

if TYPE_CHECKING:
    from departments.models import Membership

MAX_DAYS = Decimal("99999.9")


def assessment_start(
    *, actor: Membership, requirement: Requirement, at: dt.datetime | None = None
) -> Requirement:
    """R&D takes the requirement: under assessment, the request acknowledged."""
    require(permissions.can_assess(actor))
    at = at or timezone.now()
    with transaction.atomic():
        requirement = Requirement.objects.select_for_update().get(pk=requirement.pk)
        requirement_transition(requirement, State.UNDER_ASSESSMENT, actor=actor, at=at)
        assessment_request_acknowledge(requirement, actor=actor, at=at)
        return requirement


def _days(value: object, field: str) -> Decimal:
    try:
        days = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ServiceError(_("请输入人天数。"), field=field) from None
    if not days.is_finite() or days < 0 or days > MAX_DAYS or days != days.quantize(Decimal("0.1")):
        raise ServiceError(_("人天数应在 0 到 99999.9 之间，最多一位小数。"), field=field)
    return days


def assessment_checked(
    feasibility: str, reason: str, cost_low: object, cost_high: object
) -> tuple[Decimal, Decimal]:
    if feasibility not in Feasibility.values:
        raise ServiceError(_("请选择技术可行性。"), field="feasibility")
    if feasibility != Feasibility.FEASIBLE and not reason.strip():
        raise ServiceError(_("有条件可行或不可行时必须说明原因。"), field="feasibility_reason")
    low, high = _days(cost_low, "cost_low_days"), _days(cost_high, "cost_high_days")
    if low > high:
        raise ServiceError(_("成本下限不能高于上限。"), field="cost_high_days")
    return low, high


def assessment_record(
    *,
    actor: Membership,
    requirement: Requirement,
    feasibility: str,
    feasibility_reason: str = "",
    cost_low_days: object,
    cost_high_days: object,
    resources: str = "",
    risks: str = "",
    needs_prototype: bool = False,
    at: dt.datetime | None = None,
) -> Requirement:
    """Record the assessment; the requirement is then ready for the board."""
    require(permissions.can_assess(actor))
    at = at or timezone.now()
    low, high = assessment_checked(feasibility, feasibility_reason, cost_low_days, cost_high_days)
    with transaction.atomic():
        requirement = Requirement.objects.select_for_update().get(pk=requirement.pk)
        if requirement.state == State.SUBMITTED:
            requirement_transition(requirement, State.UNDER_ASSESSMENT, actor=actor, at=at)
        requirement.feasibility = feasibility
        requirement.feasibility_reason = feasibility_reason.strip()
        requirement.cost_low_days, requirement.cost_high_days = low, high
        requirement.resources, requirement.risks = resources.strip(), risks.strip()
        requirement.needs_prototype = needs_prototype
        requirement.assessed_by, requirement.assessed_at = actor.user, at
        requirement_transition(
            requirement,
            State.READY_FOR_REVIEW,
            actor=actor,
            at=at,
            reason="assess",
            fields=[
                "feasibility",
                "feasibility_reason",
                "cost_low_days",
                "cost_high_days",
                "resources",
                "risks",
                "needs_prototype",
                "assessed_by",
                "assessed_at",
            ],
        )
        summary = f"{Feasibility(feasibility).label} · {low}–{high}"
        assessment_request_done(requirement, actor=actor, at=at, summary=summary)
        return requirement
