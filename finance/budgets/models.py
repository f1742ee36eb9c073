"""Budgets (预算) per department and quarter, and their lines.

A ``Budget`` keeps its running ``reserved`` and ``consumed`` totals next to its
``amount``; every line that moves them is written under the budget's row lock
(``services``) and a check constraint refuses a total beyond the amount, so
two approvals at the same moment can never overspend: the second waits for
the lock, reads the first one's totals and is refused (and were a writer ever
to skip the lock, the database would still refuse the row).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from collab.money import amount_field, currency_field
from collab.tenancy import TenantModel


def quarter_start(day: dt.date) -> dt.date:
    return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def quarter_end(start: dt.date) -> dt.date:
    month = start.month + 3
    year = start.year + (month > 12)
    return dt.date(year, (month - 1) % 12 + 1, 1) - dt.timedelta(days=1)


def quarter_label(day: dt.date) -> str:
    """The quarter of ``day`` as people write it in both languages: "2026 Q4"
    (also what a sprint budget request's ``sprint`` field is read back from)."""
    return f"{day.year} Q{(day.month - 1) // 3 + 1}"


class Budget(TenantModel):
    department = models.ForeignKey(
        "departments.Department",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("部门"),
    )
    period_start = models.DateField(_("季度开始"))
    amount = amount_field(_("预算金额"))
    currency = currency_field()
    reserved = amount_field(_("已预留"), default=Decimal("0.00"))
    consumed = amount_field(_("已使用"), default=Decimal("0.00"))
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("预算")
        verbose_name_plural = pgettext_lazy("plural", "预算")
        ordering = ["-period_start", "department_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "department", "period_start", "currency"],
                name="budget_department_period_uniq",
            ),
            models.CheckConstraint(
                condition=Q(reserved__gte=0) & Q(consumed__gte=0),
                name="budget_totals_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(amount__gte=F("reserved") + F("consumed")),
                name="budget_not_overspent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.department_id}:{self.period_start}"

    @property
    def available(self) -> Decimal:
        return self.amount - self.reserved - self.consumed

    @property
    def period_end(self) -> dt.date:
        return quarter_end(self.period_start)

    @property
    def period_label(self) -> str:
        return quarter_label(self.period_start)


class LineKind(models.TextChoices):
    RESERVATION = "reservation", _("预留")
    CONSUMPTION = "consumption", _("使用")


class LineState(models.TextChoices):
    ACTIVE = "active", _("有效")
    RELEASED = "released", _("已释放")


class BudgetLine(TenantModel):
    budget = models.ForeignKey(Budget, on_delete=models.PROTECT, related_name="lines")
    kind = models.CharField(_("类型"), max_length=12, choices=LineKind.choices)
    state = models.CharField(
        _("状态"), max_length=10, choices=LineState.choices, default=LineState.ACTIVE
    )
    amount = amount_field()
    currency = currency_field()
    label = models.CharField(_("用途"), max_length=200)
    expires_on = models.DateField(_("到期日"), null=True, blank=True)
    # The expense an approved booking is for (one booking per expense).
    expense = models.ForeignKey(
        "finance.Expense", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    request = models.ForeignKey(
        "requests_sla.Request", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("预算明细")
        verbose_name_plural = _("预算明细")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "expense"],
                condition=Q(expense__isnull=False),
                name="budget_line_expense_uniq",
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="budget_line_positive"),
        ]
        indexes = [
            models.Index(fields=["organization", "budget", "kind"], name="budget_line_kind_idx")
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.amount}"
