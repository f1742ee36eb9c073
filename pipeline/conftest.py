"""Pipeline fixtures: people in the roles the customer side cares about
(pipeline/tests/people.py), stages, and accounts and deals made through the
services."""

import datetime as dt
from decimal import Decimal

import pytest

from collab import tenancy
from pipeline.accounts import services as accounts_services
from pipeline.opportunities import services as opportunities_services
from pipeline.opportunities.models import Stage
from pipeline.tests.people import cs, head_rnd, rep2, sales_ops  # noqa: F401 (fixtures)


@pytest.fixture
def stages(org):
    with tenancy.organization_scope(org.id):
        return {s.code: s for s in Stage.objects.all()}


@pytest.fixture
def make_account(org):
    def make(owner, name="华信制造", **kwargs):
        kwargs.setdefault("industry", "manufacturing")
        kwargs.setdefault("size", "large")
        with tenancy.organization_scope(org.id):
            return accounts_services.account_create(actor=owner, name=name, owner=owner, **kwargs)

    return make


@pytest.fixture
def make_opportunity(org):
    def make(account, owner=None, *, amount="100000", when=None, close=dt.date(2025, 6, 30), **kw):
        owner = owner or account.owner
        with tenancy.organization_scope(org.id):
            return opportunities_services.opportunity_create(
                actor=owner,
                account=account,
                name=kw.pop("name", "ERP"),
                owner=owner,
                amount=Decimal(amount),
                expected_close_date=close,
                at=when,
                **kw,
            )

    return make


@pytest.fixture
def move(org, stages):
    def do(opportunity, code, when, **kwargs):
        with tenancy.organization_scope(org.id):
            return opportunities_services.opportunity_move(
                opportunity=opportunity,
                stage=stages[code],
                actor=opportunity.owner,
                at=when,
                **kwargs,
            )

    return do
