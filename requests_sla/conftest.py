"""Fixtures for the collaboration-engine suites: people by role in ``org``
and a frozen clock (Monday 3 March 2025, 09:00 in Shanghai)."""

import pytest
import time_machine
from rest_framework.test import APIClient

from departments.roles import Role
from departments.tests.factories import token_for
from requests_sla.tests.factories import MONDAY_9AM, membership_of, person


@pytest.fixture
def frozen():
    with time_machine.travel(MONDAY_9AM, tick=False) as traveller:
        yield traveller


@pytest.fixture
def rep(org, teammate):
    """The root suite's ``teammate``: a sales rep in Business."""
    return membership_of(teammate, org)


@pytest.fixture
def rep2(org):
    return person(org, Role.SALES_REP, "business", "rep2")


@pytest.fixture
def head_rnd(org):
    return person(org, Role.DEPT_HEAD, "rnd", "head-rnd")


@pytest.fixture
def dev_rnd(org):
    return person(org, Role.DEPT_MEMBER, "rnd", "dev-rnd")


@pytest.fixture
def head_mkt(org):
    return person(org, Role.DEPT_HEAD, "marketing", "head-mkt")


@pytest.fixture
def ops(org):
    return person(org, Role.OPS_MANAGER, "ops_mgmt", "ops")


@pytest.fixture
def admin(org, owner):
    return membership_of(owner, org)


@pytest.fixture
def outsider_membership(other_org, outsider):
    return membership_of(outsider, other_org)


def api_for(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_for(user)}")
    return client


@pytest.fixture
def api():
    """``api(membership_or_user)`` returns a token-authenticated API client."""
    return lambda who: api_for(getattr(who, "user", who))


@pytest.fixture
def public_dns(monkeypatch):
    """Hostnames resolve to a public address (the sandbox has no DNS; the
    webhook rule in ``collab.outbound`` resolves every host it is given)."""
    from collab import outbound

    monkeypatch.setattr(outbound, "resolve", lambda host, port: ["93.184.215.14"])
