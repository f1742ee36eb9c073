"""Sprints (季度冲刺): a period, a theme, teams and reps, targets and awards.

* ``SprintMember``: a rep in the sprint, in one of its teams, with a weight
  (for splitting a team total).
* ``Target``: a measure and an amount, on a rep (``member``) or a team; every
  change of amount is a ``TargetChange`` row with its reason.
* ``Award``: the 销售之星 and others: top N by attainment of a measure, a
  minimum attainment, a tie-break rule and a prize.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from collab.money import amount_field, currency_field
from collab.tenancy import TenantModel
from departments.models import bilingual
from pricing.catalog.models import Category


class Measure(models.TextChoices):
    WON = "won", _("赢单金额")
    COLLECTED = "collected", _("回款金额")
    NEW_ACCOUNTS = "new_accounts", _("新客户数")
    # Revenue won in the sprint's focus category or bundle (``Sprint.mix_*``).
    PRODUCT_MIX = "product_mix", _("产品组合")


class Sprint(TenantModel):
    name = models.CharField(_("冲刺名称"), max_length=100)
    theme = models.CharField(_("主题"), max_length=200, blank=True)
    start = models.DateField(_("开始日期"))
    end = models.DateField(_("结束日期"))
    currency = currency_field()
    ranking_measure = models.CharField(
        _("排名指标"), max_length=16, choices=Measure.choices, default=Measure.WON
    )
    plan = models.ForeignKey(
        "incentives.CommissionPlan",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("提成方案"),
    )
    # The product mix the sprint pushes (the ``product_mix`` measure): won
    # revenue in one product category, or in one promotion bundle, as split
    # by each deal's accepted quote (see plans/models.py).
    mix_category = models.CharField(
        _("产品组合：类别"), max_length=12, choices=Category.choices, blank=True
    )
    mix_bundle = models.ForeignKey(
        "pricing.Bundle",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("产品组合：促销方案"),
    )
    # The reservation Finance made for the sprint's payouts (finance.BudgetLine).
    reservation = models.ForeignKey(
        "finance.BudgetLine",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("预算预留"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("季度冲刺")
        verbose_name_plural = _("季度冲刺")
        ordering = ["-start", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gte=models.F("start")), name="sprint_period"),
            models.CheckConstraint(
                condition=Q(mix_category="") | Q(mix_bundle__isnull=True), name="sprint_mix_one"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def has_mix(self) -> bool:
        return bool(self.mix_category) or self.mix_bundle_id is not None

    @property
    def mix_label(self) -> str:
        """The product-mix focus as shown: a category's label or a bundle's name."""
        if self.mix_bundle_id is not None:
            return self.mix_bundle.name if self.mix_bundle else ""
        return self.get_mix_category_display() if self.mix_category else ""


class SprintTeam(TenantModel):
    sprint = models.ForeignKey(Sprint, on_delete=models.CASCADE, related_name="teams")
    name = models.CharField(_("团队名称"), max_length=100)

    class Meta:
        ordering = ["sprint_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "sprint", "name"], name="sprint_team_name_uniq"
            )
        ]

    def __str__(self) -> str:
        return self.name


class SprintMember(TenantModel):
    sprint = models.ForeignKey(Sprint, on_delete=models.CASCADE, related_name="members")
    team = models.ForeignKey(SprintTeam, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    weight = models.DecimalField(_("权重"), max_digits=6, decimal_places=2, default=Decimal("1"))

    class Meta:
        ordering = ["team_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "sprint", "user"], name="sprint_member_once"
            ),
            models.CheckConstraint(condition=Q(weight__gt=0), name="sprint_member_weight"),
        ]
        indexes = [models.Index(fields=["organization", "user"], name="sprint_member_user_idx")]

    def __str__(self) -> str:
        return f"{self.sprint_id}:{self.user_id}"


class Target(TenantModel):
    sprint = models.ForeignKey(Sprint, on_delete=models.CASCADE, related_name="targets")
    measure = models.CharField(_("指标"), max_length=16, choices=Measure.choices)
    member = models.ForeignKey(
        SprintMember, on_delete=models.CASCADE, null=True, blank=True, related_name="targets"
    )
    team = models.ForeignKey(
        SprintTeam, on_delete=models.CASCADE, null=True, blank=True, related_name="targets"
    )
    amount = amount_field(_("目标"))

    class Meta:
        ordering = ["sprint_id", "measure", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(member__isnull=True, team__isnull=False)
                | Q(member__isnull=False, team__isnull=True),
                name="target_rep_or_team",
            ),
            models.UniqueConstraint(
                fields=["organization", "sprint", "measure", "member"],
                condition=Q(member__isnull=False),
                name="target_rep_measure_uniq",
            ),
            models.UniqueConstraint(
                fields=["organization", "sprint", "measure", "team"],
                condition=Q(team__isnull=False),
                name="target_team_measure_uniq",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.measure}:{self.amount}"


class TargetChange(TenantModel):
    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="changes")
    old_amount = amount_field(null=True, blank=True)
    new_amount = amount_field()
    reason = models.CharField(_("原因"), max_length=300)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField()

    class Meta:
        ordering = ["-changed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.target_id}:{self.old_amount}->{self.new_amount}"


class TieBreak(models.TextChoices):
    AMOUNT = "amount", _("达成率相同时，实际金额高者优先")
    SHARED = "shared", _("达成率相同时并列获奖")


TENURE_MAX_DAYS = 3650  # ten years: an award's tenure rule never asks for more


class Award(TenantModel):
    sprint = models.ForeignKey(Sprint, on_delete=models.CASCADE, related_name="awards")
    name_zh = models.CharField(_("中文名称"), max_length=100)
    name_en = models.CharField(_("英文名称"), max_length=100)
    measure = models.CharField(_("指标"), max_length=16, choices=Measure.choices)
    top_n = models.PositiveSmallIntegerField(_("名额"), default=1)
    min_attainment = models.DecimalField(
        _("最低达成率（%）"), max_digits=7, decimal_places=2, default=Decimal("100")
    )
    tie_break = models.CharField(
        _("并列规则"), max_length=10, choices=TieBreak.choices, default=TieBreak.AMOUNT
    )
    # Eligibility by tenure: a rep must have been a member of the organization
    # for this many days on the sprint's last day (0: everyone in the sprint).
    min_tenure_days = models.PositiveSmallIntegerField(_("最短在职天数"), default=0)
    prize_amount = amount_field(_("奖金"), default=Decimal("0.00"))
    prize_item = models.CharField(_("奖品"), max_length=100, blank=True)

    class Meta:
        ordering = ["sprint_id", "id"]
        constraints = [models.CheckConstraint(condition=Q(top_n__gte=1), name="award_top_n")]

    def __str__(self) -> str:
        return self.name_zh

    @property
    def name(self) -> str:
        return bilingual(self.name_zh, self.name_en)


class CreditDay(TenantModel):
    """What each rep won (deals entering a won stage, on the organization's
    local day), collected (payments received on their invoices) and has open
    (weighted by probability, on the expected close day), per day
    (``grain="d"``) and per month (``grain="m"``, ``day`` the 1st): the live
    progress sums these instead of every deal and payment. Written only by
    PostgreSQL: triggers (``sprints/triggers.py``, migration ``0002_rollups``)
    apply each statement's net change on deals, stages, payments, invoices
    and the organization's timezone, in the writer's transaction;
    ``sprints.rollups.rollups_rebuild`` recomputes an organization (after a
    bulk load with triggers off)."""

    # No FK constraint: deleting an organization cascades through deals and
    # payments, whose triggers write a last (negative) delta here.
    organization = models.ForeignKey(
        "departments.Organization",
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
    )
    grain = models.CharField(max_length=1)
    day = models.DateField()
    owner_id = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    won = models.DecimalField(max_digits=18, decimal_places=2, default=Decimal("0.00"))
    collected = models.DecimalField(max_digits=18, decimal_places=2, default=Decimal("0.00"))
    # Open deals expected to close that day: Σ amount × probability (percent),
    # exact; the forecast is this over 100.
    weighted = models.DecimalField(max_digits=22, decimal_places=2, default=Decimal("0.00"))

    class Meta:
        constraints = [
            # The key of the triggers' upserts, and the read (an index-only
            # range scan of a period's months and edge days).
            models.UniqueConstraint(
                fields=["organization", "grain", "day", "owner_id", "currency"],
                include=["won", "collected", "weighted"],
                name="credit_day_uniq",
            )
        ]
