"""Helpers of the incentives suites: a won deal, a paid invoice, an open deal."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone
from rest_framework.test import APIClient

from collab.tenancy import organization_scope
from finance.receivables import services as receivables
from finance.tests.helpers import won_deal

__all__ = ["api", "open_deal", "paid", "won", "won_deal"]

_numbers = iter(range(1, 10**6))


def won(org, member, amount: str, *, days_ago: int = 1, name: str | None = None):
    at = timezone.now() - dt.timedelta(days=days_ago)
    return won_deal(org, member.user, name or f"客户{next(_numbers)}", Decimal(amount), at=at)


def paid(finance_member, deal, amount: str, *, on: dt.date | None = None):
    on = on or timezone.localdate()
    invoice = receivables.invoice_issue(
        actor=finance_member,
        opportunity_id=deal.pk,
        number=f"INV-{next(_numbers)}",
        amount=Decimal(amount),
        issued_on=on - dt.timedelta(days=5),
        due_on=on + dt.timedelta(days=25),
    )
    return receivables.payment_record(
        actor=finance_member, invoice_id=invoice.pk, amount=Decimal(amount), received_on=on
    )


def open_deal(org, member, amount: str, close_on: dt.date):
    """An open deal of ``member``'s (on a new account) expected to close on ``close_on``."""
    from pipeline.accounts import services as accounts_services
    from pipeline.opportunities import services as opps

    with organization_scope(org.id):
        account = accounts_services.account_create(
            actor=member.user,
            name=f"开放 {amount}",
            industry="manufacturing",
            size="large",
            owner=member.user,
        )
        return opps.opportunity_create(
            actor=member.user,
            account=account,
            name="开放商机",
            owner=member.user,
            amount=Decimal(amount),
            expected_close_date=close_on,
        )


def api(user) -> APIClient:
    """An API client signed in as ``user``."""
    client = APIClient()
    client.force_authenticate(user)
    return client
