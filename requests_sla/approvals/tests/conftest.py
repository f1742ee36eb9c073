"""Fixtures of the approvals suites: Finance's head, the expense chain."""

import pytest

from departments.roles import Role
from requests_sla.approvals.tests.helpers import expense_chain
from requests_sla.tests.factories import person


@pytest.fixture
def head_fin(org):
    return person(org, Role.DEPT_HEAD, "finance", "head-fin")


@pytest.fixture
def chain(org, head_fin, admin):
    return expense_chain(org)
