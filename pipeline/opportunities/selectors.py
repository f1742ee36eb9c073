"""Reads of deals: who sees which, and a deal's moves."""

from __future__ import annotations

from django.db.models import (
    QuerySet,
)

from pipeline import permissions
from pipeline.opportunities.models import Opportunity, StageChange


def opportunities_visible_to(membership) -> QuerySet[Opportunity]:
    qs = Opportunity.objects.select_related("account", "owner", "stage")
    if permissions.sees_all_customers(membership):
        return qs
    return qs.filter(owner_id=membership.user_id)


def stage_history(opportunity: Opportunity) -> QuerySet[StageChange]:
    return (
        StageChange.objects.filter(opportunity=opportunity)
        .select_related("from_stage", "to_stage", "changed_by")
        .order_by("changed_at", "id")
    )
