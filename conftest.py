"""Fixtures shared by every suite: the tenancy trio and signed-in clients."""

import pytest

from collab import tenancy
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
    return member(org, role=Role.SALES_REP, department_code="business", username="teammate")


@pytest.fixture
def outsider(other_org):
    """An organization admin of *another* organization."""
    return member(other_org, role=Role.ORG_ADMIN, username="outsider")


@pytest.fixture
def scope(org):
    """Run the test body inside ``org``'s tenant scope."""
    with tenancy.organization_scope(org.id):
        yield org


@pytest.fixture
def client_for(client):
    """``client_for(user)`` signs ``user`` in and returns the client."""

    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in


@pytest.fixture(autouse=True)
def _no_leaked_scope():
    """Every test starts and ends with no tenant in scope."""
    assert tenancy.current_organization_id() is None
    yield
    assert tenancy.current_organization_id() is None
