"""Payment plans, invoices and payments by hand: only won deals, never more
than the deal; a payment above the open amount only as an overpayment."""

import datetime as dt
from decimal import Decimal

import pytest

from collab.errors import ServiceError
from collab.tenancy import organization_scope
from finance.receivables import services
from finance.receivables.models import Invoice, Milestone, Payment
from finance.receivables.services import MilestoneInput

pytestmark = pytest.mark.django_db
D = dt.date(2026, 1, 10)


def _invoice(fin, deal, number="FP-001", amount="100000.00", due=D):
    return services.invoice_issue(
        actor=fin,
        opportunity_id=deal.pk,
        number=number,
        amount=Decimal(amount),
        issued_on=due - dt.timedelta(days=30),
        due_on=due,
    )


def test_rep_records_the_plan_of_their_won_deal(rep, deal):
    plan = services.plan_set(
        actor=rep,
        opportunity_id=deal.pk,
        milestones=[
            MilestoneInput("deposit", Decimal("90000.00"), D),
            MilestoneInput("acceptance", Decimal("180000.00"), D + dt.timedelta(days=90)),
            MilestoneInput("retention", Decimal("30000.00"), D + dt.timedelta(days=365)),
        ],
    )
    assert [m.kind for m in plan] == ["deposit", "acceptance", "retention"]


def test_plan_beyond_the_deal_is_refused(rep, deal):
    with pytest.raises(ServiceError, match="超过商机金额") as caught:
        services.plan_set(
            actor=rep,
            opportunity_id=deal.pk,
            milestones=[MilestoneInput("deposit", Decimal("300000.01"), D)],
        )
    assert caught.value.field == "milestones"
    with organization_scope(rep.organization_id):
        assert not Milestone.objects.exists()


def test_another_rep_cannot_record_the_plan(rep2, deal):
    with pytest.raises(ServiceError):
        services.plan_set(
            actor=rep2,
            opportunity_id=deal.pk,
            milestones=[MilestoneInput("deposit", Decimal("1.00"), D)],
        )


def test_invoice_number_is_unique_and_only_finance_issues(fin, rep, deal):
    _invoice(fin, deal)
    with pytest.raises(ServiceError) as caught:
        _invoice(fin, deal)
    assert caught.value.field == "number"
    with pytest.raises(ServiceError, match="只有财务"):
        _invoice(rep, deal, number="FP-002")


def test_payments_fill_the_invoice_and_refuse_more_than_open(fin, deal):
    invoice = _invoice(fin, deal)
    services.payment_record(
        actor=fin, invoice_id=invoice.pk, amount=Decimal("40000.00"), received_on=D
    )
    with pytest.raises(ServiceError, match="超过发票未回款金额") as caught:
        services.payment_record(
            actor=fin, invoice_id=invoice.pk, amount=Decimal("60000.01"), received_on=D
        )
    assert caught.value.field == "amount"
    last = services.payment_record(
        actor=fin,
        invoice_id=invoice.pk,
        amount=Decimal("60000.01"),
        received_on=D + dt.timedelta(days=3),
        overpayment=True,
    )
    assert last.is_overpayment
    with organization_scope(fin.organization_id):
        invoice = Invoice.objects.get(pk=invoice.pk)
        assert (invoice.paid, invoice.paid_on) == (Decimal("100000.01"), D + dt.timedelta(days=3))
        assert Payment.objects.count() == 2


@pytest.mark.parametrize("amount", ["0", "-1.00"])
def test_negative_payments_are_refused(fin, deal, amount):
    invoice = _invoice(fin, deal)
    with pytest.raises(ServiceError, match="大于零"):
        services.payment_record(
            actor=fin, invoice_id=invoice.pk, amount=Decimal(amount), received_on=D
        )


def test_a_foreign_invoice_is_not_found(fin, outsider_membership, other_org):
    from finance.tests.helpers import won_deal

    foreign_deal = won_deal(other_org, outsider_membership.user, "Acme", Decimal("100.00"))
    foreign = _invoice(outsider_membership, foreign_deal, amount="100.00")
    with pytest.raises(ServiceError, match="找不到这张发票"):
        services.payment_record(
            actor=fin, invoice_id=foreign.pk, amount=Decimal("1.00"), received_on=D
        )
