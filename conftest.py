"""Fixtures shared by every suite: the tenancy trio (departments/tests/people.py)
and signed-in clients."""

import pytest
from django.conf import settings

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


# --- the database roles (collab/rls.py) --------------------------------------------------
# With DATABASE_OWNER_URL (the default in collab/settings/test.py, and CI), the
# test database is created, migrated and dropped by the owner role, and every
# test runs as DATABASE_URL's role: the app role, which row-level security
# applies to, on tables it does not own.

_CREDENTIALS = ("USER", "PASSWORD", "HOST", "PORT")


def _connect_as(database: dict) -> None:
    from django.db import connections

    connection = connections["default"]
    connection.close()
    for key in _CREDENTIALS:
        connection.settings_dict[key] = database[key]
        settings.DATABASES["default"][key] = database[key]


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings):
    owner = getattr(settings, "COLLAB_DATABASE_OWNER", None)
    if owner:
        settings.COLLAB_DATABASE_APP = {k: settings.DATABASES["default"][k] for k in _CREDENTIALS}
        _connect_as(owner)


@pytest.fixture
def as_owner(transactional_db):
    """The test runs as the owner role (what migrations run as), on committed data."""
    owner = getattr(settings, "COLLAB_DATABASE_OWNER", None)
    if not owner:
        yield
        return
    _connect_as(owner)
    try:
        yield
    finally:
        _owner_grants()  # a test that re-ran migrations recreated tables
        _connect_as(settings.COLLAB_DATABASE_APP)


def _owner_grants() -> None:
    """As the owner: the policies and grants of collab/rls.py, and the test-only
    TRUNCATE that transactional tests empty the tables with."""
    from django.db import connection

    from collab import rls

    rls.apply_policies(connection)
    _grant_truncate()


def _grant_truncate() -> None:
    """As the owner, test-only: transactional tests empty the tables with TRUNCATE."""
    from django.db import connection

    from collab import rls

    with connection.cursor() as cursor:
        cursor.execute(f"GRANT TRUNCATE ON ALL TABLES IN SCHEMA public TO {rls.app_role()}")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    owner = getattr(settings, "COLLAB_DATABASE_OWNER", None)
    if not owner:
        yield
        return
    with django_db_blocker.unblock():
        _grant_truncate()
    _connect_as(settings.COLLAB_DATABASE_APP)
    yield
    _connect_as(owner)  # the owner drops the test database


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
