"""The people of the finance suites, as memberships of ``org``. Reuses the
collaboration engine's names (``rep``, ``rep2``, ``admin``, ``ops``); adds
Finance's head and a Finance clerk, and a department head outside Finance."""

import pytest

from departments.roles import Role
from requests_sla.tests.factories import person


@pytest.fixture
def head_fin(org):
    """The head of Finance (the expense chain's approver over 5,000)."""
    return person(org, Role.DEPT_HEAD, "finance", "head-fin")


@pytest.fixture
def fin(org):
    """A Finance clerk: writes money records, approves nothing."""
    return person(org, Role.DEPT_MEMBER, "finance", "fin")
