"""The SLA dashboard's rollups (issue 5), written only by PostgreSQL.

The dashboard filters by the *request's* dimensions (serving and requesting
department, type, priority) but counts *timers*. ``sla.models.SlaOutcome`` is
that join done once (one narrow row per decided timer, kept by
``timer_recompute`` in the timer's transaction); the tables here count it per
organization-local day (``SlaOutcomeDay``), count requests filed per day
(``RequestDay``) and histogram stopped timers per month (``SlaStoppedMonth``).
Statement-level triggers (SQL in ``reporting/triggers.py``, installed by the
migrations) keep them exact on every write; ``reporting.services.rollups_rebuild``
recomputes them after a bulk load or a timezone change."""

from __future__ import annotations

from django.db import models

from collab.tenancy import TenantModel


class SlaOutcomeDay(TenantModel):
    """``SlaOutcome`` counted per day (in the organization's timezone) and
    per filter dimensions: what the attainment figures, the previous period,
    the department matrix and the weekly trend add up. Periods and trend
    weeks are whole local days, so sums of days are exact.

    Written only by PostgreSQL: statement-level triggers on ``SlaOutcome``
    (migration ``dashboard_indexes``) apply each statement's net change
    (+1 per new row, -1 per old row), so every write path (``outcome_sync``,
    ``outcomes_sync_many``, ``outcomes_rebuild``, cascades) keeps it exact in
    the same transaction. ``reporting.services.rollups_rebuild`` recomputes it
    (after a bulk load with triggers off, or a timezone change).
    ``requesting_department_id`` is 0 for "none" so the key has no NULL."""

    # No FK constraint: a cascade deleting an organization's rows fires the
    # triggers, which may write a last (negative) delta; it is never read.
    organization = models.ForeignKey(
        "departments.Organization",
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
    )
    # Two grains per statement: fine (every dimension) and coarse (type 0,
    # priority ""): a view filtered by type or priority reads fine rows, any
    # other view ~20x fewer coarse ones.
    fine = models.BooleanField()
    day = models.DateField()
    kind = models.CharField(max_length=12)
    serving_department_id = models.BigIntegerField()
    requesting_department_id = models.BigIntegerField(default=0)
    request_type_id = models.BigIntegerField()
    priority = models.CharField(max_length=8)
    decided = models.IntegerField(default=0)
    met = models.IntegerField(default=0)
    breached = models.IntegerField(default=0)
    late_minutes = models.BigIntegerField(default=0)  # over breaches that ended
    late_count = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "organization",
                    "fine",
                    "day",
                    "kind",
                    "serving_department_id",
                    "requesting_department_id",
                    "request_type_id",
                    "priority",
                ],
                name="sla_outcome_day_uniq",
            )
        ]
        indexes = [
            models.Index(
                fields=["organization", "fine", "serving_department_id", "day"],
                name="sla_outcome_day_dept_idx",
            ),
            # The unfiltered view's reads (attainment, matrix, trend): an
            # index-only range scan of the coarse rows, which the heap
            # interleaves with ~3.5x as many fine ones.
            models.Index(
                fields=["organization", "day"],
                include=[
                    "kind",
                    "serving_department_id",
                    "requesting_department_id",
                    "decided",
                    "met",
                    "breached",
                    "late_minutes",
                    "late_count",
                ],
                condition=models.Q(fine=False),
                name="sla_outcome_day_coarse_idx",
            ),
        ]


class RequestDay(TenantModel):
    """Requests filed per day (organization's timezone) and per filter
    dimensions: the trend's weekly volume. Written only by triggers on
    ``Request`` (insert, delete, and an update that changes a dimension or
    ``created_at``, e.g. a transfer); see ``SlaOutcomeDay``."""

    # No FK constraint: a cascade deleting an organization's rows fires the
    # triggers, which may write a last (negative) delta; it is never read.
    organization = models.ForeignKey(
        "departments.Organization",
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
    )
    fine = models.BooleanField()  # see SlaOutcomeDay
    day = models.DateField()
    serving_department_id = models.BigIntegerField()
    requesting_department_id = models.BigIntegerField(default=0)
    request_type_id = models.BigIntegerField()
    priority = models.CharField(max_length=8)
    filed = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "organization",
                    "fine",
                    "day",
                    "serving_department_id",
                    "requesting_department_id",
                    "request_type_id",
                    "priority",
                ],
                name="request_day_uniq",
            )
        ]
        indexes = [
            models.Index(
                fields=["organization", "fine", "serving_department_id", "day"],
                name="request_day_dept_idx",
            ),
            models.Index(  # the unfiltered trend's volume, index-only
                fields=["organization", "day"],
                include=["serving_department_id", "requesting_department_id", "filed"],
                condition=models.Q(fine=False),
                name="request_day_coarse_idx",
            ),
        ]


class SlaStoppedMonth(TenantModel):
    """How many timers stopped after each number of business minutes, per
    kind and per month (the organization's timezone): the distribution the
    dashboard's median and P90 are read from, exactly (``percentile_cont``
    over a histogram of integer minutes is the same figure as over the
    outcomes themselves), for the whole organization and whole months.

    A month is ~70,000 stopped outcomes at a million requests but only
    ~2,800 distinct (kind, minutes) keys, so an unfiltered month or quarter
    reads a few thousand rows instead of sorting every outcome of the
    period; the days of a period outside whole months, and views filtered by
    a dimension, still read ``SlaOutcome`` (see
    ``reporting.selectors._stopped``). Written only by PostgreSQL, like
    ``SlaOutcomeDay``: statement-level triggers on ``SlaOutcome`` apply each
    statement's net change; ``reporting.services.rollups_rebuild``
    recomputes it."""

    # No FK constraint, as SlaOutcomeDay: a cascade may write a last delta.
    organization = models.ForeignKey(
        "departments.Organization",
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
    )
    month = models.DateField()  # its first day
    kind = models.CharField(max_length=12)
    elapsed_minutes = models.IntegerField()
    stopped = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "month", "kind", "elapsed_minutes"],
                include=["stopped"],  # an index-only read
                name="sla_stopped_month_uniq",
            )
        ]
