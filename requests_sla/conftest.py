"""Fixtures for the collaboration-engine suites: people by role in ``org``
(requests_sla/tests/people.py), a frozen clock (Monday 3 March 2025, 09:00
in Shanghai) and token-authenticated API clients."""

import pytest
import time_machine
from rest_framework.test import APIClient

from departments.tests.factories import token_for
from requests_sla.tests.factories import MONDAY_9AM
from requests_sla.tests.people import (  # noqa: F401 (fixtures)
    admin,
    dev_rnd,
    head_mkt,
    head_rnd,
    ops,
    outsider_membership,
    rep,
    rep2,
)


@pytest.fixture
def frozen():
    with time_machine.travel(MONDAY_9AM, tick=False) as traveller:
        yield traveller


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
