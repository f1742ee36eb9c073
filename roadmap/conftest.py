"""Roadmap fixtures: the people (requests_sla's memberships: ``rep``,
``head_rnd``, ``ops``…), a customer with deals in each state, made through
pipeline's services."""

import datetime as dt
from decimal import Decimal

import pytest

from collab import tenancy
from pipeline.accounts import services as accounts_services
from pipeline.opportunities import services as opportunities_services
from pipeline.opportunities.models import Stage
from requests_sla.tests.people import (  # noqa: F401 (fixtures)
    admin,
    head_rnd,
    ops,
    outsider_membership,
    rep,
    rep2,
)
from roadmap.tests.people import cs, head_biz, pm  # noqa: F401 (fixtures)


@pytest.fixture
def make_account(org):
    def make(owner_membership, name="华信制造"):
        with tenancy.organization_scope(owner_membership.organization_id):
            user = owner_membership.user
            return accounts_services.account_create(
                actor=user, name=name, owner=user, industry="manufacturing", size="large"
            )

    return make


@pytest.fixture
def make_deal():
    def make(account, *, amount="100000.00", stage="proposal", probability=None, name="ERP"):
        with tenancy.organization_scope(account.organization_id):
            deal = opportunities_services.opportunity_create(
                actor=account.owner,
                account=account,
                name=name,
                owner=account.owner,
                amount=Decimal(amount),
                expected_close_date=dt.date(2027, 6, 30),
            )
            target = Stage.objects.get(code=stage)
            if stage != deal.stage.code or probability is not None:
                extra = {"lost_reason": "price"} if target.is_lost else {}
                deal = opportunities_services.opportunity_move(
                    opportunity=deal,
                    stage=target,
                    actor=account.owner,
                    probability=probability,
                    **extra,
                )
            return deal

    return make


@pytest.fixture
def account(make_account, rep):  # noqa: F811 (the fixture)
    return make_account(rep)


@pytest.fixture
def deal(make_deal, account):
    return make_deal(account, amount="200000.00", stage="proposal", probability=35)


@pytest.fixture
def submit(rep):  # noqa: F811 (the fixture)
    from roadmap.services.requirements import requirement_submit

    def do(actor=None, *, title="集团客户报表多级权限", **kw):
        actor = actor or rep
        kw.setdefault("background", "集团客户，下属 30 家子公司")
        kw.setdefault("pain_point", "报表无法按子公司分级授权")
        kw.setdefault("expected_outcome", "子公司只看自己的数据")
        with tenancy.organization_scope(actor.organization_id):
            return requirement_submit(actor=actor, title=title, **kw)

    return do


@pytest.fixture
def move_to_won():
    def move(deal):
        with tenancy.organization_scope(deal.organization_id):
            return opportunities_services.opportunity_move(
                opportunity=deal, stage=Stage.objects.get(code="won"), actor=deal.owner
            )

    return move


@pytest.fixture
def assess(head_rnd):  # noqa: F811 (the fixture)
    """``head_rnd`` (or ``actor``) records an assessment (feasible, 2–4
    person-days unless told)."""
    from roadmap.services.assessments import assessment_record

    def do(requirement, actor=None, **kw):
        kw.setdefault("feasibility", "feasible")
        kw.setdefault("cost_low_days", "2")
        kw.setdefault("cost_high_days", "4")
        with tenancy.organization_scope(requirement.organization_id):
            return assessment_record(actor=actor or head_rnd, requirement=requirement, **kw)

    return do
