"""Incentives fixtures: people, a quarter-long sprint with ``rep`` and
``rep2`` in one team, and a two-tier plan on won revenue (3% to 100% of
target, 5% above), in force since long before."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from collab import tenancy
from finance.tests.people import fin, head_fin  # noqa: F401 (fixtures)
from incentives.plans import services as plan_services
from incentives.plans.services import TierInput
from incentives.sprints import services as sprint_services
from incentives.tests.people import head_biz, head_hr, hr  # noqa: F401 (fixtures)
from requests_sla.tests.people import (  # noqa: F401 (fixtures)
    admin,
    ops,
    outsider_membership,
    rep,
    rep2,
)

TWO_TIERS = [
    TierInput(Decimal("0"), Decimal("100"), Decimal("3")),
    TierInput(Decimal("100"), None, Decimal("5")),
]


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def plan(org, hr):  # noqa: F811
    plan = plan_services.plan_create(actor=hr, name="2026 提成", basis="won")
    plan_services.version_add(
        actor=hr, plan=plan, effective_from=dt.date(2020, 1, 1), tiers=TWO_TIERS
    )
    return plan


@pytest.fixture
def sprint(org, hr, rep, rep2, plan, today):  # noqa: F811
    sprint = sprint_services.sprint_create(
        actor=hr,
        name="Q4 冲刺",
        theme="冲刺全年目标",
        start=today - dt.timedelta(days=30),
        end=today + dt.timedelta(days=30),
        plan_id=plan.pk,
    )
    team = sprint_services.team_add(actor=hr, sprint=sprint, name="华东组")
    for m in (rep, rep2):
        sprint_services.member_add(actor=hr, sprint=sprint, team=team, user_id=m.user_id)
    return sprint


@pytest.fixture
def team(sprint, org):
    with tenancy.organization_scope(org.id):
        return sprint.teams.get()


@pytest.fixture
def scope_org(org):
    with tenancy.organization_scope(org.id):
        yield org
