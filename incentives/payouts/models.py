"""Payout runs (发放批次): a sprint's commission and awards, line by line.

A run is computed (draft, recomputed at will), submitted by HR, and approved
through its approval chain (HR head, Finance head; see approval.py); once approved it is frozen: its lines never change again, and a
later run of the same sprint pays only the difference per rep and deal
(``kind=adjustment``), so a deal lost or changed after the freeze shows as an
adjustment, never as a silent rewrite.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from collab.money import amount_field, currency_field
from collab.tenancy import TenantModel


class RunState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("审批中")
    APPROVED = "approved", _("已审批（冻结）")


class LineKind(models.TextChoices):
    COMMISSION = "commission", _("提成")
    CAP = "cap", _("封顶扣减")
    AWARD = "award", _("奖项")
    ADJUSTMENT = "adjustment", _("调整")


class PayoutRun(TenantModel):
    sprint = models.ForeignKey("incentives.Sprint", on_delete=models.CASCADE, related_name="runs")
    number = models.PositiveSmallIntegerField(_("批次"))
    state = models.CharField(
        _("状态"), max_length=10, choices=RunState.choices, default=RunState.DRAFT
    )
    currency = currency_field()
    total = amount_field(_("合计"), allow_negative=True, default=Decimal("0.00"))
    computed_at = models.DateTimeField()
    computed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The approval request filed on submission (its chain decides the run)
    # and the reason of the step that rejected or sent it back.
    approval_request = models.ForeignKey(
        "requests_sla.Request", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approval_note = models.TextField(_("审批意见"), blank=True)
    # Deals that could not be paid (no plan version on their win date), as
    # [{"opportunity_id", "name", "day"}], shown with the run.
    warnings = models.JSONField(default=list, blank=True)

    class Meta:
        verbose_name = _("发放批次")
        verbose_name_plural = _("发放批次")
        ordering = ["sprint_id", "number"]
        indexes = [
            models.Index(fields=["organization", "approval_request"], name="payout_run_req_idx")
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "sprint", "number"], name="payout_run_number_uniq"
            ),
            # One open (not yet approved) run per sprint at a time.
            models.UniqueConstraint(
                fields=["organization", "sprint"],
                condition=~models.Q(state="approved"),
                name="payout_run_one_open",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sprint_id}#{self.number}"

    @property
    def is_frozen(self) -> bool:
        return self.state == RunState.APPROVED


class PayoutLine(TenantModel):
    # A sprint's run writes ~500,000 lines in one statement; PostgreSQL
    # checks a foreign key constraint per row and per key (six per line:
    # more time than computing and writing them). The lines are written only
    # by ``payout_compute``, in the transaction that creates or locks their
    # run, from the rows it reads under the sprint's lock: the keys are
    # plain indexed references whose ``on_delete`` Django enforces
    # (CASCADE, PROTECT, SET_NULL), as for every ORM delete. No index of its
    # own on ``organization``: ``payout_line_idx`` starts with it.
    organization = models.ForeignKey(
        "departments.Organization",
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    run = models.ForeignKey(
        PayoutRun, on_delete=models.CASCADE, related_name="lines", db_constraint=False
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", db_constraint=False
    )
    kind = models.CharField(max_length=12, choices=LineKind.choices)
    opportunity = models.ForeignKey(
        "pipeline.Opportunity",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
    )
    # What the line was computed from, frozen with it (reproducible without
    # reading the deal again): the deal's name, the credited amount, the tier
    # and rate, the plan version.
    deal_name = models.CharField(max_length=200, blank=True)
    credited_on = models.DateField(null=True, blank=True)
    basis_amount = amount_field(allow_negative=True, default=Decimal("0.00"))
    rate = models.DecimalField(max_digits=6, decimal_places=3, null=True, blank=True)
    tier_label = models.CharField(max_length=40, blank=True)
    # The part of the deal the line pays (a product category, or a bundle,
    # from its accepted quote; both empty: the whole deal at the tier rate)
    # and the rate line's own rate (``rate`` is what it became in the tier).
    category = models.CharField(max_length=12, blank=True, default="")
    # DO_NOTHING: a frozen line keeps the id it was computed with (bundles
    # sold on a quote cannot be deleted anyway: quotes protect them).
    bundle = models.ForeignKey(
        "pricing.Bundle",
        on_delete=models.DO_NOTHING,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    category_rate = models.DecimalField(max_digits=6, decimal_places=3, null=True, blank=True)
    version = models.ForeignKey(
        "incentives.PlanVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
    )
    award = models.ForeignKey(
        "incentives.Award",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
    )
    note = models.CharField(max_length=200, blank=True)
    amount = amount_field(allow_negative=True)

    class Meta:
        ordering = ["run_id", "user_id", "id"]
        indexes = [models.Index(fields=["organization", "run", "user"], name="payout_line_idx")]

    def __str__(self) -> str:
        return f"{self.kind}:{self.amount}"
