"""The people pricing adds to requests_sla's (requests_sla/tests/people.py:
``rep``, ``rep2``, ``admin``, ``outsider_membership``), as memberships:
Product Management's head, who edits prices, and Finance's head, who
approves discounts (the same name and username as the approvals suites)."""

import pytest

from departments.roles import Role
from requests_sla.tests.factories import person


@pytest.fixture
def head_pm(org):
    return person(org, Role.DEPT_HEAD, "product", "head-pm")


@pytest.fixture
def head_fin(org):
    return person(org, Role.DEPT_HEAD, "finance", "head-fin")
