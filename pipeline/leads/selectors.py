"""Reads of leads: who sees which, and the leads report."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import (
    Count,
    DecimalField,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from pipeline import permissions
from pipeline.leads.models import Lead, LeadStatus
from pipeline.periods import period_bounds


def leads_visible_to(membership) -> QuerySet[Lead]:
    """Customer Success and managers see every lead; a rep the leads on their accounts."""
    qs = Lead.objects.select_related("account", "account__owner", "created_by", "opportunity")
    if permissions.sees_all_customers(membership) or permissions.can_manage_leads(membership):
        return qs
    return qs.filter(account__owner_id=membership.user_id)


def lead_report(membership, *, start: dt.date, end: dt.date) -> list[dict]:
    """Leads created in the period by source and kind, and what they became:
    converted into deals, and won revenue (one grouped query)."""
    lo, hi = period_bounds(start, end)
    won = Q(opportunity__stage__is_won=True)
    zero = Value(Decimal("0"), output_field=DecimalField(max_digits=20, decimal_places=2))
    return list(
        leads_visible_to(membership)
        .filter(created_at__gte=lo, created_at__lt=hi)
        .values("source", "kind")
        .annotate(
            n=Count("id"),
            estimated=Coalesce(Sum("estimated_amount"), zero),
            accepted=Count("id", filter=Q(status__in=[LeadStatus.ACCEPTED, LeadStatus.CONVERTED])),
            rejected=Count("id", filter=Q(status=LeadStatus.REJECTED)),
            converted=Count("id", filter=Q(status=LeadStatus.CONVERTED)),
            won=Count("id", filter=won),
            won_revenue=Coalesce(Sum("opportunity__amount", filter=won), zero),
        )
        .order_by("source", "kind")
    )
