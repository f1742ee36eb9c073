"""The people of the incentives suites, as memberships of ``org``. Reuses the
engine's names (``rep``, ``rep2``, ``admin``, ``ops``) and Finance's
(``head_fin``); adds HR's clerk (manages sprints) and the Business head."""

import pytest

from departments.roles import Role
from requests_sla.tests.factories import person


@pytest.fixture
def hr(org):
    """An HR member: sets up sprints, targets, plans and awards."""
    return person(org, Role.DEPT_MEMBER, "hr", "hr")


@pytest.fixture
def head_biz(org):
    """The head of Business (业务负责人)."""
    return person(org, Role.DEPT_HEAD, "business", "head-biz")


@pytest.fixture
def head_hr(org):
    """The head of HR: the first step of a payout run's approval chain."""
    return person(org, Role.DEPT_HEAD, "hr", "head-hr")
