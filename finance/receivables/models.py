"""Receivables (应收): a won deal's payment plan, its invoices and payments.

* ``Milestone``: one line of a deal's payment plan (deposit, on delivery, on
  acceptance, retention) with its amount and due date.
* ``Invoice``: issued against a deal (and a milestone); ``paid`` is the running
  total of its payments, kept by the payment services under the invoice's row
  lock; ``paid_on`` is the day it was paid in full (the late-payer history).
* ``Payment``: money received, by hand or from a bank import. A payment with
  no invoice is an unmatched bank row waiting for Finance to match it.
* ``BankImport``: one imported file (what it held, what matched).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from collab.money import amount_field, currency_field
from collab.tenancy import TenantModel


class MilestoneKind(models.TextChoices):
    DEPOSIT = "deposit", _("预付款")
    DELIVERY = "delivery", _("到货款")
    ACCEPTANCE = "acceptance", _("验收款")
    RETENTION = "retention", _("质保金")


class Milestone(TenantModel):
    opportunity = models.ForeignKey(
        "pipeline.Opportunity", on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(_("节点"), max_length=12, choices=MilestoneKind.choices)
    amount = amount_field()
    currency = currency_field()
    due_on = models.DateField(_("计划回款日"))

    class Meta:
        verbose_name = _("回款计划")
        verbose_name_plural = _("回款计划")
        ordering = ["due_on", "id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="milestone_positive")]
        indexes = [
            models.Index(fields=["organization", "opportunity"], name="milestone_opp_idx"),
            models.Index(fields=["organization", "due_on"], name="milestone_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.opportunity_id}:{self.kind}"


class Invoice(TenantModel):
    number = models.CharField(_("发票号"), max_length=40)
    opportunity = models.ForeignKey(
        "pipeline.Opportunity", on_delete=models.PROTECT, related_name="+", verbose_name=_("商机")
    )
    account = models.ForeignKey(
        "pipeline.Account", on_delete=models.PROTECT, related_name="+", verbose_name=_("客户")
    )
    # The deal's owner when issued: collection rates per rep read it directly.
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    milestone = models.ForeignKey(
        Milestone, on_delete=models.SET_NULL, null=True, blank=True, related_name="invoices"
    )
    amount = amount_field()
    currency = currency_field()
    paid = amount_field(_("已回款"), default=Decimal("0.00"))
    issued_on = models.DateField(_("开票日期"))
    due_on = models.DateField(_("到期日"))
    paid_on = models.DateField(_("结清日期"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("发票")
        verbose_name_plural = _("发票")
        ordering = ["due_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "number"], name="invoice_number_uniq"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="invoice_positive"),
            models.CheckConstraint(condition=Q(paid__gte=0), name="invoice_paid_not_negative"),
        ]
        indexes = [
            # Aging and the date-driven risk rules read open invoices by due date.
            models.Index(
                fields=["organization", "due_on"],
                condition=Q(paid__lt=F("amount")),
                include=["amount", "paid", "currency", "account"],
                name="invoice_open_due_idx",
            ),
            models.Index(fields=["organization", "account"], name="invoice_account_idx"),
            models.Index(fields=["organization", "opportunity"], name="invoice_opp_idx"),
            models.Index(fields=["organization", "updated_at"], name="invoice_updated_idx"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def open_amount(self) -> Decimal:
        return max(self.amount - self.paid, Decimal("0.00"))


class PaymentSource(models.TextChoices):
    MANUAL = "manual", _("手工登记")
    BANK = "bank", _("银行导入")


class BankImport(TenantModel):
    filename = models.CharField(max_length=200)
    encoding = models.CharField(max_length=20)
    rows = models.PositiveIntegerField(default=0)
    matched = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("银行流水导入")
        verbose_name_plural = _("银行流水导入")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.filename


class Payment(TenantModel):
    invoice = models.ForeignKey(
        Invoice, on_delete=models.PROTECT, null=True, blank=True, related_name="payments"
    )
    account = models.ForeignKey(
        "pipeline.Account", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    amount = amount_field()
    currency = currency_field()
    received_on = models.DateField(_("到账日期"))
    payer = models.CharField(_("付款方"), max_length=200, blank=True)
    reference = models.CharField(_("流水号/备注"), max_length=200, blank=True)
    source = models.CharField(max_length=8, choices=PaymentSource.choices)
    is_overpayment = models.BooleanField(_("超额付款"), default=False)
    bank_import = models.ForeignKey(
        BankImport, on_delete=models.CASCADE, null=True, blank=True, related_name="payments"
    )
    line_number = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("回款")
        verbose_name_plural = _("回款")
        ordering = ["-received_on", "-id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="payment_positive")]
        indexes = [
            models.Index(fields=["organization", "received_on"], name="payment_received_idx"),
            models.Index(fields=["organization", "invoice"], name="payment_invoice_idx"),
            models.Index(
                fields=["organization", "created_at"],
                condition=Q(invoice__isnull=True),
                name="payment_unmatched_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"
