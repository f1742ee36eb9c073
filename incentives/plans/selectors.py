"""Reads of commission plans: the version in force on a day."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from incentives.plans.models import CommissionPlan, PlanVersion


def plans_all() -> QuerySet[CommissionPlan]:
    return CommissionPlan.objects.prefetch_related("versions__tiers").order_by("name", "id")


def plan_versions(plan_id: int) -> list[PlanVersion]:
    """Every version of the plan with its tiers, oldest first (one prefetch)."""
    return list(
        PlanVersion.objects.filter(plan_id=plan_id)
        .prefetch_related("tiers")
        .order_by("effective_from")
    )


def version_on(versions: list[PlanVersion], day: dt.date) -> PlanVersion | None:
    """The version in force on ``day``: the latest effective on or before it."""
    found = None
    for version in versions:
        if version.effective_from <= day:
            found = version
    return found
