"""Expenses (费用): typed lines under an expense request of the request engine.

An ``Expense`` belongs to one collaboration request (an expense request type
with an approval chain, requests_sla/approvals); its lines carry the date,
the category, the amount in the expense's currency, the receipt (an
attachment of the request, checked like every upload), the deal or the
enablement campaign it is for (a real link: finance sits above enablement), and the reason when a line goes past its category's policy limit.
On the chain's final approval the total is booked against the filer's
department budget (``BudgetLine`` with ``expense``).
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


class ExpenseCategory(TenantModel):
    code = models.SlugField(_("代码"), max_length=32)
    name_zh = models.CharField(_("中文名称"), max_length=100)
    name_en = models.CharField(_("英文名称"), max_length=100, blank=True)
    # The policy limit (费用标准) per unit, e.g. a night in a tier-1 city.
    limit_per_unit = amount_field(_("标准（每单位）"), null=True, blank=True)
    unit_zh = models.CharField(_("单位"), max_length=20, blank=True)
    unit_en = models.CharField(_("单位（英文）"), max_length=20, blank=True)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("费用类别")
        verbose_name_plural = _("费用类别")
        ordering = ["sort_order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "code"], name="expense_category_uniq")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return bilingual(self.name_zh, self.name_en)

    @property
    def unit(self) -> str:
        return bilingual(self.unit_zh, self.unit_en)


class ExpenseKind(models.TextChoices):
    TRAVEL = "travel", _("差旅")
    CAMPAIGN = "campaign", _("市场活动")


class ExpenseState(models.TextChoices):
    SUBMITTED = "submitted", _("审批中")
    APPROVED = "approved", _("已通过，已记入预算")
    PAID = "paid", _("已付款")


class Expense(TenantModel):
    request = models.ForeignKey("requests_sla.Request", on_delete=models.CASCADE, related_name="+")
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey(
        "departments.Department", on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("费用类别"), max_length=12, choices=ExpenseKind.choices)
    total = amount_field(_("合计"))
    currency = currency_field()
    state = models.CharField(
        _("状态"), max_length=10, choices=ExpenseState.choices, default=ExpenseState.SUBMITTED
    )
    over_limit = models.BooleanField(_("超出标准"), default=False)
    created_at = models.DateTimeField()
    approved_at = models.DateTimeField(null=True, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("费用")
        verbose_name_plural = _("费用")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "request"], name="expense_request_uniq")
        ]
        indexes = [
            models.Index(fields=["organization", "state", "approved_at"], name="expense_state_idx")
        ]

    def __str__(self) -> str:
        return f"{self.request_id}:{self.total}"


class ExpenseLine(TenantModel):
    expense = models.ForeignKey(Expense, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField()
    date = models.DateField(_("日期"))
    category = models.ForeignKey(
        ExpenseCategory, on_delete=models.PROTECT, related_name="+", verbose_name=_("类别")
    )
    units = models.DecimalField(_("数量"), max_digits=6, decimal_places=2, default=Decimal("1"))
    amount = amount_field()
    currency = currency_field()
    description = models.CharField(_("说明"), max_length=200, blank=True)
    receipt = models.ForeignKey(
        "requests_sla.Attachment",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("票据"),
    )
    opportunity = models.ForeignKey(
        "pipeline.Opportunity",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("关联商机"),
    )
    campaign = models.ForeignKey(
        "enablement.Campaign",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("关联活动"),
    )
    # What lines filed before the link named as their campaign, in free text:
    # kept readable (the migration linked the exact, unambiguous names).
    campaign_note = models.CharField(_("关联活动（原文）"), max_length=200, blank=True)
    over_limit_reason = models.CharField(_("超标理由"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("费用明细")
        verbose_name_plural = _("费用明细")
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "expense", "position"], name="expense_line_uniq"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="expense_line_positive"),
        ]
        indexes = [
            models.Index(
                fields=["organization", "opportunity"],
                condition=Q(opportunity__isnull=False),
                name="expense_line_opp_idx",
            ),
            models.Index(
                fields=["organization", "campaign"],
                condition=Q(campaign__isnull=False),
                name="expense_line_campaign_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.expense_id}.{self.position}"
