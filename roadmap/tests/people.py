"""Roadmap's own people (the rest come from requests_sla/tests/people.py),
as memberships of ``org``."""

import pytest

from departments.roles import Role
from requests_sla.tests.factories import person


@pytest.fixture
def pm(org):
    """A member of Product Management."""
    return person(org, Role.DEPT_MEMBER, "product", "pm")


@pytest.fixture
def cs(org):
    """A member of Customer Success."""
    return person(org, Role.DEPT_MEMBER, "customer_success", "cs")


@pytest.fixture
def head_biz(org):
    """The head of Business: records the board's decisions with the ops manager."""
    return person(org, Role.DEPT_HEAD, "business", "head-biz")
