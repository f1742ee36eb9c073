"""Writes of receivables: a won deal's payment plan, invoices, payments by
hand and the manual match of an unmatched bank row.

A payment moves its invoice's ``paid`` under the invoice's row lock; more
than the open amount is refused unless the payment is an explicit
overpayment. Finance writes every money record; the deal's owner may record
its payment plan too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from collab.errors import ServiceError
from collab.money import format_money, round_money
from collab.tenancy import organization_scope
from departments.models import Membership
from finance.permissions import is_finance
from finance.receivables.models import Invoice, Milestone, MilestoneKind, Payment, PaymentSource
from pipeline.opportunities.models import Opportunity


@dataclass(frozen=True)
class MilestoneInput:
    kind: str
    amount: Decimal
    due_on: dt.date


def _require_finance(actor: Membership) -> None:
    if not is_finance(actor):
        raise ServiceError(_("只有财务可以登记应收与回款。"))


def _won_deal(opportunity_id: int) -> Opportunity:
    deal = Opportunity.objects.select_related("stage").filter(pk=opportunity_id).first()
    if deal is None:
        raise ServiceError(_("找不到这个商机。"), field="opportunity")
    if not deal.stage.is_won:
        raise ServiceError(_("只有赢单的商机才能登记回款计划。"), field="opportunity")
    return deal


def plan_set(
    *, actor: Membership, opportunity_id: int, milestones: Sequence[MilestoneInput]
) -> list[Milestone]:
    """Record (or replace) a won deal's payment plan. Milestones that already
    have invoices stay; the plan never exceeds the deal's amount."""
    with organization_scope(actor.organization_id), transaction.atomic():
        deal = _won_deal(opportunity_id)
        if not (is_finance(actor) or deal.owner_id == actor.user_id):
            raise ServiceError(_("只有财务或负责销售可以登记回款计划。"))
        for n, item in enumerate(milestones, start=1):
            if item.kind not in MilestoneKind.values:
                raise ServiceError(_("第 %(n)s 个节点类型不正确。") % {"n": n}, field="milestones")
            if item.amount is None or item.amount <= 0:
                raise ServiceError(
                    _("第 %(n)s 个节点：金额必须大于零。") % {"n": n}, field="milestones"
                )
        kept = Milestone.objects.filter(opportunity=deal, invoices__isnull=False).distinct()
        total = sum((m.amount for m in kept), Decimal("0")) + sum(
            (round_money(m.amount) for m in milestones), Decimal("0")
        )
        if total > deal.amount:
            raise ServiceError(
                _("回款计划合计 %(total)s 超过商机金额 %(amount)s。")
                % {
                    "total": format_money(total, deal.currency),
                    "amount": format_money(deal.amount, deal.currency),
                },
                field="milestones",
            )
        Milestone.objects.filter(opportunity=deal, invoices__isnull=True).delete()
        Milestone.objects.bulk_create(
            Milestone(
                organization_id=actor.organization_id,
                opportunity=deal,
                kind=m.kind,
                amount=round_money(m.amount),
                currency=deal.currency,
                due_on=m.due_on,
            )
            for m in milestones
        )
        return list(Milestone.objects.filter(opportunity=deal))


def invoice_issue(
    *,
    actor: Membership,
    opportunity_id: int,
    number: str,
    amount: Decimal,
    issued_on: dt.date,
    due_on: dt.date,
    milestone_id: int | None = None,
) -> Invoice:
    _require_finance(actor)
    number = (number or "").strip()[:40]
    if not number:
        raise ServiceError(_("请填写发票号。"), field="number")
    if amount is None or amount <= 0:
        raise ServiceError(_("金额必须大于零。"), field="amount")
    if due_on < issued_on:
        raise ServiceError(_("到期日不能早于开票日期。"), field="due_on")
    with organization_scope(actor.organization_id), transaction.atomic():
        deal = _won_deal(opportunity_id)
        milestone = None
        if milestone_id is not None:
            milestone = Milestone.objects.filter(pk=milestone_id, opportunity=deal).first()
            if milestone is None:
                raise ServiceError(_("回款节点不属于这个商机。"), field="milestone")
        try:
            with transaction.atomic():
                return Invoice.objects.create(
                    organization_id=actor.organization_id,
                    number=number,
                    opportunity=deal,
                    account_id=deal.account_id,
                    owner_id=deal.owner_id,
                    milestone=milestone,
                    amount=round_money(amount),
                    currency=deal.currency,
                    issued_on=issued_on,
                    due_on=due_on,
                )
        except IntegrityError:
            raise ServiceError(_("发票号已存在。"), field="number") from None


def apply_to_invoice(invoice: Invoice, amount: Decimal, received_on: dt.date) -> None:
    """Add ``amount`` to a locked invoice's ``paid`` (not saved)."""
    invoice.paid += amount
    if invoice.paid >= invoice.amount and invoice.paid_on is None:
        invoice.paid_on = received_on


def payment_record(
    *,
    actor: Membership,
    invoice_id: int,
    amount: Decimal,
    received_on: dt.date,
    reference: str = "",
    overpayment: bool = False,
    at: dt.datetime | None = None,
) -> Payment:
    """Record a payment by hand against an invoice."""
    _require_finance(actor)
    if amount is None or amount <= 0:
        raise ServiceError(_("金额必须大于零。"), field="amount")
    amount = round_money(amount)
    with organization_scope(actor.organization_id), transaction.atomic():
        invoice = Invoice.objects.select_for_update().filter(pk=invoice_id).first()
        if invoice is None:
            raise ServiceError(_("找不到这张发票。"), field="invoice")
        _check_open(invoice, amount, overpayment)
        over = amount > invoice.open_amount
        apply_to_invoice(invoice, amount, received_on)
        invoice.save(update_fields=["paid", "paid_on", "updated_at"])
        return Payment.objects.create(
            organization_id=actor.organization_id,
            invoice=invoice,
            account_id=invoice.account_id,
            amount=amount,
            currency=invoice.currency,
            received_on=received_on,
            reference=reference.strip()[:200],
            source=PaymentSource.MANUAL,
            is_overpayment=over,
            created_at=at or timezone.now(),
        )


def _check_open(invoice: Invoice, amount: Decimal, overpayment: bool) -> None:
    if amount > invoice.open_amount and not overpayment:
        raise ServiceError(
            _("金额 %(amount)s 超过发票未回款金额 %(open)s；如确为超额付款，请勾选“超额付款”。")
            % {
                "amount": format_money(amount, invoice.currency),
                "open": format_money(invoice.open_amount, invoice.currency),
            },
            field="amount",
        )


def payment_match(
    *, actor: Membership, payment_id: int, invoice_id: int, overpayment: bool = False
) -> Payment:
    """Match an unmatched (bank) payment to an invoice by hand."""
    _require_finance(actor)
    with organization_scope(actor.organization_id), transaction.atomic():
        payment = Payment.objects.select_for_update().filter(pk=payment_id).first()
        if payment is None:
            raise ServiceError(_("找不到这笔回款。"), field="payment")
        if payment.invoice_id is not None:
            raise ServiceError(_("这笔回款已经匹配。"), field="payment")
        invoice = Invoice.objects.select_for_update().filter(pk=invoice_id).first()
        if invoice is None:
            raise ServiceError(_("找不到这张发票。"), field="invoice")
        if invoice.currency != payment.currency:
            raise ServiceError(_("币种不一致。"), field="invoice")
        _check_open(invoice, payment.amount, overpayment)
        payment.is_overpayment = payment.amount > invoice.open_amount
        apply_to_invoice(invoice, payment.amount, payment.received_on)
        invoice.save(update_fields=["paid", "paid_on", "updated_at"])
        payment.invoice, payment.account_id = invoice, invoice.account_id
        payment.save(update_fields=["invoice", "account", "is_overpayment"])
        return payment
