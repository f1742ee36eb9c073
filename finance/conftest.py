"""Finance fixtures: people (finance/tests/people.py and the engine's), the
demo expense chain, categories with policy limits, a budget for Business
this quarter, and a won deal of ``rep``'s."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from collab import tenancy
from finance.tests.helpers import categories_for, won_deal
from finance.tests.people import fin, head_fin  # noqa: F401 (fixtures)
from requests_sla.approvals.tests.helpers import expense_chain
from requests_sla.tests.people import (  # noqa: F401 (fixtures)
    admin,
    head_mkt,
    ops,
    outsider_membership,
    rep,
    rep2,
)


@pytest.fixture
def chain(org, head_fin, admin):  # noqa: F811 (fixtures by name)
    return expense_chain(org)


@pytest.fixture
def categories(org):
    return categories_for(org)


@pytest.fixture
def budget(org, head_fin, rep):  # noqa: F811
    from finance.budgets.services import budget_set

    return budget_set(
        actor=head_fin,
        department=rep.department,
        period_start=timezone.localdate(),
        amount=Decimal("100000.00"),
    )


@pytest.fixture
def deal(org, rep):  # noqa: F811
    return won_deal(org, rep.user, "华东电力", Decimal("300000.00"))


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def scope_org(org):
    with tenancy.organization_scope(org.id):
        yield org


__all__ = ["dt"]
