"""Fixtures shared by every suite: the tenancy trio (departments/tests/people.py)
and signed-in clients."""

import pytest

from collab import tenancy

# The people every suite shares (one name per person); every browser,
# integration and slow test carries its mark (``make check`` runs the others
# in parallel).
pytest_plugins = ["departments.tests.people", "tests.marks"]


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


@pytest.fixture(autouse=True)
def _default_language():
    """Every test starts in the project's default language: a page served in
    English by one test must not leave English active for the next test in
    the same process (Django's active language is per thread, not per test)."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)
