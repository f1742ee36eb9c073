"""The people of the pipeline suites, as users of ``org`` (the pipeline's
services act as a user); the root suite's ``teammate`` is the first sales
rep, ``owner`` the admin.

One name per person (see departments/tests/people.py): the same names and
usernames as requests_sla's people, where both apps need the person.
"""

import pytest

from departments.roles import Role
from departments.tests.factories import member


@pytest.fixture
def rep2(org):
    """A second sales rep in Business."""
    return member(org, role=Role.SALES_REP, department_code="business", username="rep2")


@pytest.fixture
def sales_ops(org):
    """A member of Sales Operations."""
    return member(org, role=Role.DEPT_MEMBER, department_code="sales_ops", username="salesops")


@pytest.fixture
def cs(org):
    """A member of Customer Success."""
    return member(org, role=Role.DEPT_MEMBER, department_code="customer_success", username="cs")


@pytest.fixture
def head_rnd(org):
    """The head of R&D: a department head outside sales."""
    return member(org, role=Role.DEPT_HEAD, department_code="rnd", username="head-rnd")
