"""The people of the collaboration-engine suites, as memberships of ``org``
(requests_sla's services act through a membership); ``.user`` is the user.

One name per person (see departments/tests/people.py): a test that needs the
R&D head asks for ``head_rnd``, never a local ``head`` or ``rnd_head``.
"""

import pytest

from departments.roles import Role
from requests_sla.tests.factories import membership_of, person


@pytest.fixture
def rep(org, teammate):
    """The root suite's ``teammate``: a sales rep in Business."""
    return membership_of(teammate, org)


@pytest.fixture
def rep2(org):
    """A second sales rep in Business."""
    return person(org, Role.SALES_REP, "business", "rep2")


@pytest.fixture
def head_rnd(org):
    """The head of R&D (the department that serves technical requests)."""
    return person(org, Role.DEPT_HEAD, "rnd", "head-rnd")


@pytest.fixture
def dev_rnd(org):
    """A member of R&D."""
    return person(org, Role.DEPT_MEMBER, "rnd", "dev-rnd")


@pytest.fixture
def head_mkt(org):
    """The head of Marketing."""
    return person(org, Role.DEPT_HEAD, "marketing", "head-mkt")


@pytest.fixture
def ops(org):
    """An operations manager."""
    return person(org, Role.OPS_MANAGER, "ops_mgmt", "ops")


@pytest.fixture
def admin(org, owner):
    """The root suite's ``owner``: the organization admin."""
    return membership_of(owner, org)


@pytest.fixture
def outsider_membership(other_org, outsider):
    """The root suite's ``outsider``, an admin of another organization."""
    return membership_of(outsider, other_org)
