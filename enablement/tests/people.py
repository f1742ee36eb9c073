"""The people of the enablement suites, as memberships of ``org`` (the
library's services act through a membership). Same names as requests_sla's
people where both apps need the person (``rep``, ``head_mkt``, ``admin``)."""

import pytest

from departments.roles import Role
from requests_sla.tests.factories import person


@pytest.fixture
def mkt(org):
    """A member of Marketing."""
    return person(org, Role.DEPT_MEMBER, "marketing", "mkt")


@pytest.fixture
def pm(org):
    """A member of Product Management."""
    return person(org, Role.DEPT_MEMBER, "product", "pm")


@pytest.fixture
def dev_rnd(org):
    """A member of R&D: reads the library, writes nothing in it."""
    return person(org, Role.DEPT_MEMBER, "rnd", "dev-rnd")


@pytest.fixture
def hr(org):
    """A member of HR: manages courses."""
    return person(org, Role.DEPT_MEMBER, "hr", "hr")
