"""Commission plans (提成方案): versioned, each version with its tiers and cap.

A deal is paid on the version in force on its win date (the latest
``effective_from`` on or before it). A tier is a band of the rep's attainment
(% of target, ``from_pct`` inclusive, ``to_pct`` exclusive, open-ended when
empty) with a rate in percent; an accelerator is a tier above 100% with a
higher rate. ``cap`` bounds a rep's commission for a sprint.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from collab.money import amount_field, currency_field
from collab.tenancy import TenantModel


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
