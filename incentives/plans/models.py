"""Commission plans (提成方案): versioned, each version with its tiers and cap.

A deal is paid on the version in force on its win date (the latest
``effective_from`` on or before it). A tier is a band of the rep's attainment
(% of target, ``from_pct`` inclusive, ``to_pct`` exclusive, open-ended when
empty) with a rate in percent; an accelerator is a tier above 100% with a
higher rate. ``cap`` bounds a rep's commission for a sprint.

**Rates by product category or bundle** (``RateLine``). A version may carry
rate lines, each for one product category of pricing's catalogue or one
promotion bundle, whose rate replaces the plan's *on-target rate* (the rate
of the tier that pays the way up to 100% attainment) for that part of a deal. A won
deal's value is split by its accepted quote: each quote line's amount goes
to its product's category, each bundle block's amount to its bundle, and the
credited amount (the deal, or a payment on it) is divided in those
proportions (cumulative rounding to the fen, so the parts add up exactly);
a deal without an accepted quote with lines counts wholly at the tier rate.

Tiers still work on attainment as before, and **multiply** a category's
rate the way they move the base rate: in a tier paying ``t``% where the
on-target rate is ``b``%, a category rated ``c``% pays ``c × t / b``%
(rounded to 0.001%). Example: tiers 0–100% → 3%, above → 5%; licences at
6%: a licence part pays 6% up to target and 10% above it, a service part
with no rate line pays 3% and 5%; a 0% threshold tier pays no category
anything. A part whose category or bundle has no rate line in a version
that has rate lines is paid at the tier rate and listed as a warning.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from collab.money import amount_field, currency_field
from collab.tenancy import TenantModel
from pricing.catalog.models import Category


class Basis(models.TextChoices):
    WON = "won", _("按赢单金额")
    COLLECTED = "collected", _("按回款金额")


class CommissionPlan(TenantModel):
    name = models.CharField(_("方案名称"), max_length=100)
    basis = models.CharField(_("计提基数"), max_length=10, choices=Basis.choices)
    currency = currency_field()
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("提成方案")
        verbose_name_plural = _("提成方案")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "name"], name="commission_plan_name_uniq"
            )
        ]

    def __str__(self) -> str:
        return self.name


class PlanVersion(TenantModel):
    plan = models.ForeignKey(CommissionPlan, on_delete=models.CASCADE, related_name="versions")
    effective_from = models.DateField(_("生效日期"))
    cap = amount_field(_("封顶金额"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("方案版本")
        verbose_name_plural = _("方案版本")
        ordering = ["plan_id", "effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "plan", "effective_from"], name="plan_version_day_uniq"
            )
        ]

    def __str__(self) -> str:
        return f"{self.plan_id}@{self.effective_from}"


class Tier(TenantModel):
    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="tiers")
    from_pct = models.DecimalField(_("起始达成率（%）"), max_digits=7, decimal_places=2)
    to_pct = models.DecimalField(
        _("截止达成率（%）"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    rate = models.DecimalField(_("提成比例（%）"), max_digits=6, decimal_places=3)

    class Meta:
        verbose_name = _("阶梯")
        verbose_name_plural = _("阶梯")
        ordering = ["version_id", "from_pct"]
        constraints = [
            models.CheckConstraint(
                condition=Q(from_pct__gte=0) & Q(rate__gte=0) & Q(rate__lte=100),
                name="tier_bounds_valid",
            ),
            models.CheckConstraint(
                condition=Q(to_pct__isnull=True) | Q(to_pct__gt=models.F("from_pct")),
                name="tier_to_after_from",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_pct}-{self.to_pct}:{self.rate}"

    @property
    def label(self) -> str:
        upper = f"{self.to_pct.normalize():f}%" if self.to_pct is not None else "∞"
        return f"{self.from_pct.normalize():f}%–{upper}"


class RateLine(TenantModel):
    """A plan version's rate for one product category or one bundle."""

    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="rate_lines")
    category = models.CharField(_("产品类别"), max_length=12, choices=Category.choices, blank=True)
    bundle = models.ForeignKey(
        "pricing.Bundle",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("促销方案"),
    )
    rate = models.DecimalField(_("提成比例（%）"), max_digits=6, decimal_places=3)

    class Meta:
        verbose_name = _("类别提成比例")
        verbose_name_plural = _("类别提成比例")
        ordering = ["version_id", "bundle_id", "category"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(category="") & Q(bundle__isnull=False))
                | (~Q(category="") & Q(bundle__isnull=True)),
                name="rate_line_category_or_bundle",
            ),
            models.CheckConstraint(
                condition=Q(rate__gte=0) & Q(rate__lte=100), name="rate_line_rate_valid"
            ),
            models.UniqueConstraint(
                fields=["organization", "version", "category"],
                condition=Q(bundle__isnull=True),
                name="rate_line_category_uniq",
            ),
            models.UniqueConstraint(
                fields=["organization", "version", "bundle"],
                condition=Q(bundle__isnull=False),
                name="rate_line_bundle_uniq",
            ),
        ]
        indexes = [models.Index(fields=["organization", "bundle"], name="rate_line_bundle_idx")]

    def __str__(self) -> str:
        return f"{self.category or self.bundle_id}:{self.rate}"
