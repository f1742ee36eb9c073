"""The people every suite shares: the tenancy trio (``owner`` and
``teammate`` in ``org``, ``outsider`` in ``other_org``), as users.

One name per person across the project: the same person is never fixtured
twice under two names (``head_rnd``, never ``rnd_head``). Each app's people
module (``requests_sla/tests/people.py``, ``pipeline/tests/people.py``) adds
the people its suites need, under these names and usernames; the root
``conftest.py`` and each app's ``conftest.py`` expose them.
"""

import pytest

from departments.roles import Role
from departments.tests.factories import OrganizationFactory, member


@pytest.fixture
def org(db):
    return OrganizationFactory(name="Acme", slug="acme")


@pytest.fixture
def other_org(db):
    return OrganizationFactory(name="Other", slug="other-co")


@pytest.fixture
def owner(org):
    """The organization admin of ``org``."""
    return member(org, role=Role.ORG_ADMIN, username="owner")


@pytest.fixture
def teammate(org):
    """A sales rep in Business."""
    return member(org, role=Role.SALES_REP, department_code="business", username="teammate")


@pytest.fixture
def outsider(other_org):
    """An organization admin of *another* organization."""
    return member(other_org, role=Role.ORG_ADMIN, username="outsider")
