"""The funnel's rollups (see ``funnel.selectors``), kept by ``rollups.services`` in each write's transaction."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import Q

from collab.tenancy import TenantModel


class FunnelEntryDay(TenantModel):
    """Rollup of funnel entries (see selectors.funnel_report and reports.py).

    One row per (stage, day the deals entered it, day they entered the next
    stage or null, currency, owner, industry): how many deals and their
    amount at entry. Rows with a null owner and industry are the totals over
    all owners and industries (the unfiltered report reads only those). For
    the lost stage: moves to lost, ``next_day`` null. Days are in the
    organization's time zone. Kept by the services in the move's transaction;
    ``manage.py funnel_rollup_rebuild`` recomputes it from ``StageChange``.
    """

    stage = models.ForeignKey("pipeline.Stage", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    next_day = models.DateField(null=True)
    currency = models.CharField(max_length=3)
    owner_id = models.IntegerField(null=True)
    industry = models.CharField(max_length=24, null=True)
    n = models.IntegerField(default=0)
    amount = models.DecimalField(max_digits=20, decimal_places=2, default=Decimal("0"))

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "organization",
                    "stage",
                    "day",
                    "next_day",
                    "currency",
                    "owner_id",
                    "industry",
                ],
                nulls_distinct=False,
                name="funnelentryday_key_uniq",
            )
        ]
        indexes = [
            models.Index(
                fields=["organization", "currency", "day"],
                include=["stage", "next_day", "n", "amount"],
                condition=Q(owner_id__isnull=True),
                name="funnelentryday_total_idx",
            ),
            # Covering, as the filtered reports read them.
            models.Index(
                fields=["organization", "owner_id", "day"],
                include=["stage", "next_day", "currency", "industry", "n", "amount"],
                name="funnelentryday_owner_idx",
            ),
            models.Index(
                fields=["organization", "industry", "day"],
                include=["stage", "next_day", "currency", "owner_id", "n", "amount"],
                name="funnelentryday_industry_idx",
            ),
        ]


class FunnelStayDay(TenantModel):
    """Rollup of closed stays: a histogram of whole days in stage.

    One row per (stage, day the stay ended, whole days it lasted, currency,
    owner, industry): how many stays. Null owner and industry: totals. With
    cumulative counts it locates the bucket that holds a median; the exact
    value inside that bucket comes from ``StageChange`` through the
    ``stagechange_dwell_idx`` expression index (a few rows)."""

    stage = models.ForeignKey("pipeline.Stage", on_delete=models.CASCADE, related_name="+")
    left_day = models.DateField()
    dwell_days = models.IntegerField()
    currency = models.CharField(max_length=3)
    owner_id = models.IntegerField(null=True)
    industry = models.CharField(max_length=24, null=True)
    n = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "organization",
                    "stage",
                    "left_day",
                    "dwell_days",
                    "currency",
                    "owner_id",
                    "industry",
                ],
                nulls_distinct=False,
                name="funnelstayday_key_uniq",
            )
        ]
        indexes = [
            models.Index(
                fields=["organization", "currency", "left_day"],
                include=["stage", "dwell_days", "n"],
                condition=Q(owner_id__isnull=True),
                name="funnelstayday_total_idx",
            ),
            # Covering, as the filtered reports read them.
            models.Index(
                fields=["organization", "owner_id", "left_day"],
                include=["stage", "dwell_days", "currency", "industry", "n"],
                name="funnelstayday_owner_idx",
            ),
            models.Index(
                fields=["organization", "industry", "left_day"],
                include=["stage", "dwell_days", "currency", "owner_id", "n"],
                name="funnelstayday_industry_idx",
            ),
        ]


class FunnelOpenDay(TenantModel):
    """Rollup of stays still open, in the funnel's open stages: how many
    entered each stage on each day (UTC) and are still there.

    One row per (stage, UTC day the stay began, currency, owner, industry).
    Null owner and industry: totals. An open stay that began at ``t`` has
    lasted ``as_of − t`` at ``as_of``, so a day's row bounds its stays'
    durations to one day's width: with the closed stays' histogram
    (FunnelStayDay) it locates the whole-day bucket(s) of a median without
    reading the open pipeline (see selectors._MEDIAN_SQL). UTC days, not the
    organization's, so that each row spans exactly 86,400 seconds."""

    stage = models.ForeignKey("pipeline.Stage", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    currency = models.CharField(max_length=3)
    owner_id = models.IntegerField(null=True)
    industry = models.CharField(max_length=24, null=True)
    n = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "stage", "day", "currency", "owner_id", "industry"],
                nulls_distinct=False,
                name="funnelopenday_key_uniq",
            )
        ]
        indexes = [
            models.Index(
                fields=["organization", "currency", "day"],
                include=["stage", "n"],
                condition=Q(owner_id__isnull=True),
                name="funnelopenday_total_idx",
            ),
            # Covering, as the filtered reports read them.
            models.Index(
                fields=["organization", "owner_id", "day"],
                include=["stage", "currency", "industry", "n"],
                name="funnelopenday_owner_idx",
            ),
            models.Index(
                fields=["organization", "industry", "day"],
                include=["stage", "currency", "owner_id", "n"],
                name="funnelopenday_industry_idx",
            ),
        ]
