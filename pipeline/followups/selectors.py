"""Reads of follow-ups: who sees which, and the satisfaction report."""

from __future__ import annotations

import datetime as dt

from django.db.models import (
    Avg,
    Count,
    QuerySet,
)

from pipeline import permissions
from pipeline.followups.models import FollowUp
from pipeline.periods import period_bounds


def follow_ups_visible_to(membership) -> QuerySet[FollowUp]:
    qs = FollowUp.objects.select_related("account", "by")
    if permissions.sees_all_customers(membership):
        return qs
    return qs.filter(account__owner_id=membership.user_id)


def feedback_report(
    membership, *, start: dt.date, end: dt.date, account_id: int | None = None
) -> tuple[list[dict], QuerySet[FollowUp]]:
    """Satisfaction per account for follow-ups done in the period, and the comments."""
    lo, hi = period_bounds(start, end)
    done = follow_ups_visible_to(membership).filter(done_at__gte=lo, done_at__lt=hi)
    if account_id:
        done = done.filter(account_id=account_id)
    accounts = list(
        done.values("account_id", "account__name", "account__is_key_account")
        .annotate(avg_csat=Avg("csat"), rated=Count("csat"), n=Count("id"))
        .order_by("avg_csat", "account__name")
    )
    comments = done.exclude(comment="").order_by("-done_at")[:200]
    return accounts, comments
