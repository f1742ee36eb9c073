"""Helpers of the finance suites: categories, won deals, expense lines."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from collab.tenancy import organization_scope
from finance.expenses.defaults import expense_categories_provision
from finance.expenses.models import ExpenseCategory
from finance.expenses.services import LineInput
from pipeline.accounts import services as accounts_services
from pipeline.opportunities import services as opportunities_services
from pipeline.opportunities.models import Opportunity, Stage

# The demo steps finance's demo stands on, in order: its tests and the
# browser journey load exactly these.
DEMO_STEPS = (
    "departments.demo.load",
    "pipeline.demo.customers.load",
    "requests_sla.approvals.demo.load",
    "enablement.demo.library.load",
    "enablement.demo.programs.load",
    "finance.demo.load.load",
)


def categories_for(organization) -> dict[str, ExpenseCategory]:
    """The organization's standard categories by code (provisioning made them)."""
    return expense_categories_provision(organization=organization)


def won_deal(organization, owner, name: str, amount: Decimal, *, at=None) -> Opportunity:
    at = at or timezone.now()
    with organization_scope(organization.id):
        account = accounts_services.account_create(
            actor=owner, name=name, industry="manufacturing", size="large", owner=owner
        )
        deal = opportunities_services.opportunity_create(
            actor=owner,
            account=account,
            name=f"{name} 项目",
            owner=owner,
            amount=amount,
            expected_close_date=timezone.localdate(at),
            at=at - dt.timedelta(minutes=1),
        )
        return opportunities_services.opportunity_move(
            opportunity=deal, stage=Stage.objects.get(is_won=True), actor=owner, at=at
        )


def line(category, amount: str, **kw) -> LineInput:
    return LineInput(
        date=kw.pop("date", timezone.localdate() - dt.timedelta(days=2)),
        category_id=category.pk,
        amount=Decimal(amount),
        **kw,
    )
