"""Reads of deals: who sees which, and a deal's moves."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from pipeline import permissions
from pipeline.opportunities.models import Opportunity, StageChange


def opportunities_visible_to(membership) -> QuerySet[Opportunity]:
    qs = Opportunity.objects.select_related("account", "owner", "stage")
    if permissions.sees_all_customers(membership):
        return qs
    return qs.filter(owner_id=membership.user_id)


def open_deals_matching(membership, q: str) -> QuerySet[Opportunity]:
    """Open deals ``membership`` may see whose name, or whose customer's
    name, contains ``q``; with no ``q``, the member's own open deals. The
    latest touched first; the caller takes the first few (the pickers that
    attach a request or an asset to a deal)."""
    deals = opportunities_visible_to(membership).filter(stage__is_won=False, stage__is_lost=False)
    if q:
        deals = deals.filter(Q(name__icontains=q) | Q(account__name__icontains=q))
    else:
        deals = deals.filter(owner_id=membership.user_id)
    return deals.order_by("-updated_at", "-id")


def stage_history(opportunity: Opportunity) -> QuerySet[StageChange]:
    return (
        StageChange.objects.filter(opportunity=opportunity)
        .select_related("from_stage", "to_stage", "changed_by")
        .order_by("changed_at", "id")
    )
