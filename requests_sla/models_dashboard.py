"""Summaries the SLA dashboard reads (issue 5).

Why a summary table: the dashboard filters by the *request's* dimensions
(serving and requesting department, type, priority) but counts *timers*. At a
million requests, joining two million timers to their requests for every
page view is the slow part. ``SlaOutcome`` is that join done once: one narrow
row per response/resolution timer that has an outcome the attainment formula
counts (met, or breached), carrying the dimensions it is filtered by and the
instants it is bucketed by. Its covering indexes (organization first) let
PostgreSQL answer every dashboard aggregate with an index-only range scan.

It is maintained synchronously: ``requests_sla.services.sla.timer_recompute``
calls ``dashboard.outcome_sync(timer)`` (one upsert or delete, in the same
transaction), so the table never lags the timers' cached fields. Writes that
bypass the services (bulk imports, the benchmark's seeding) are reconciled by
``outcomes_rebuild`` (the nightly task in ``tasks_dashboard``).

The dimensions are captured when the row is first written, i.e. when the
timer first had an outcome: a timer that breached before a transfer stays
with the department that was late.
"""

from __future__ import annotations

from django.db import models

from collab.tenancy import TenantModel

__all__ = ["SlaOutcome"]


class SlaOutcome(TenantModel):
    timer = models.ForeignKey("requests_sla.SlaTimer", on_delete=models.CASCADE, related_name="+")
    request = models.ForeignKey(
        "requests_sla.Request", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    kind = models.CharField(max_length=12)  # "response" | "resolution"
    serving_department = models.ForeignKey(
        "departments.Department", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    requesting_department = models.ForeignKey(
        "departments.Department",
        on_delete=models.CASCADE,
        null=True,
        related_name="+",
        db_index=False,
    )
    request_type = models.ForeignKey(
        "requests_sla.RequestType", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    priority = models.CharField(max_length=8)
    # When the outcome was decided: the breach instant for a breached timer
    # (even if it was stopped later), else the instant it was met. This is
    # the instant attainment is bucketed by, so each timer counts once.
    decided_at = models.DateTimeField()
    stopped_at = models.DateTimeField(null=True)  # time-to-X percentiles bucket by this
    met = models.BooleanField()
    breached = models.BooleanField()
    elapsed_minutes = models.IntegerField()  # business minutes, pauses excluded
    late_minutes = models.IntegerField(default=0)  # business minutes past due, once stopped

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "timer"], name="sla_outcome_timer_uniq")
        ]
        indexes = [
            models.Index(
                fields=["organization", "decided_at"],
                include=[
                    "kind",
                    "met",
                    "breached",
                    "serving_department",
                    "requesting_department",
                    "request_type",
                    "priority",
                    "late_minutes",
                    "stopped_at",
                ],
                name="sla_outcome_decided_idx",
            ),
            models.Index(
                fields=["organization", "stopped_at"],
                include=[
                    "kind",
                    "elapsed_minutes",
                    "serving_department",
                    "requesting_department",
                    "request_type",
                    "priority",
                ],
                condition=models.Q(stopped_at__isnull=False),
                name="sla_outcome_stopped_idx",
            ),
            models.Index(fields=["timer"], name="sla_outcome_timer_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.timer_id}:{self.kind}"
