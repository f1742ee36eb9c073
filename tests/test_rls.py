"""Row-level security, the backstop of tenancy (collab/rls.py, issue 10).

These tests connect as the app role themselves, whatever role the rest of
the suite runs as, on a committed database (``transactional_db``: another
connection must see the rows).
"""

from __future__ import annotations

import contextlib
import logging

import psycopg2
import pytest
from django.conf import settings
from django.db import IntegrityError, connection, transaction

from collab import rls, tenancy
from departments.models import Department
from departments.tests.factories import OrganizationFactory, member


def _tenant_tables() -> list[str]:
    with connection.cursor() as cursor:
        return [row[0] for row in rls.table_states(cursor)]


@contextlib.contextmanager
def app_cursor():
    """A raw connection to the test database as the app role (no Django, no scope)."""
    db = connection.settings_dict
    app = getattr(settings, "COLLAB_DATABASE_APP", None) or {}
    raw = psycopg2.connect(
        dbname=db["NAME"],
        user=rls.app_role(),
        password=app.get("PASSWORD") if app.get("USER") == rls.app_role() else None,
        host=db["HOST"] or None,
        port=db["PORT"] or None,
    )
    raw.autocommit = True
    try:
        with raw.cursor() as cursor:
            yield cursor
    finally:
        raw.close()


@contextlib.contextmanager
def django_as_app_role():
    """Django's own connection, as the app role, for the rest of the block."""
    keys = ("USER", "PASSWORD")
    saved = {k: connection.settings_dict[k] for k in keys}
    app = getattr(settings, "COLLAB_DATABASE_APP", None) or {}
    connection.close()
    connection.settings_dict["USER"] = rls.app_role()
    connection.settings_dict["PASSWORD"] = (
        app.get("PASSWORD", "") if app.get("USER") == rls.app_role() else ""
    )
    try:
        connection.ensure_connection()
        assert connection.collab_rls, "the app role must be one RLS applies to"
        yield
    finally:
        connection.close()
        connection.settings_dict.update(saved)


@pytest.fixture
def two_orgs(transactional_db):
    demo = OrganizationFactory(name="Demo Co", slug="demo-co")
    other = OrganizationFactory(name="Other Co", slug="other-co")
    member(demo, username="demo-rep")
    member(other, username="other-rep")
    return demo, other


@pytest.mark.django_db
def test_every_tenant_table_has_forced_rls_and_the_policy():
    states = None
    with connection.cursor() as cursor:
        states = rls.table_states(cursor)
    tables = {table for table, *_ in states}
    assert rls.model_tables() <= tables  # every TenantModel (and organization_id model)
    assert len(tables) >= 40
    missing = [(t, e, f, p) for t, e, f, p in states if not (e and f and p)]
    assert missing == []


@pytest.mark.django_db
def test_the_app_role_is_no_superuser_bypasses_nothing_and_owns_no_table():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = %s", [rls.app_role()]
        )
        assert cursor.fetchone() == (False, False)
        cursor.execute(
            "SELECT count(*) FROM pg_class WHERE relowner = "
            "(SELECT oid FROM pg_roles WHERE rolname = %s)",
            [rls.app_role()],
        )
        assert cursor.fetchone() == (0,)
        cursor.execute(
            "SELECT rolbypassrls, rolcanlogin FROM pg_roles WHERE rolname = %s",
            [rls.service_role()],
        )
        assert cursor.fetchone() == (True, False)


def test_no_scope_no_rows_and_another_scope_none_of_theirs(two_orgs):
    demo, other = two_orgs
    tables = _tenant_tables()
    with tenancy.dangerously_unscoped(), connection.cursor() as cursor:
        populated = {}
        for table in tables:
            cursor.execute(f"SELECT count(*) FROM {table} WHERE organization_id = %s", [demo.id])  # noqa: S608
            if count := cursor.fetchone()[0]:
                populated[table] = count
    assert len(populated) >= 10  # the test means something: Demo Co has rows in these
    with app_cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608
            assert cursor.fetchone() == (0,), f"{table} without a scope"
        # The same role and tables with Demo Co's scope: every row of Demo Co's.
        cursor.execute("SELECT set_config('collab.organization_id', %s, false)", [str(demo.id)])
        for table, count in populated.items():
            cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608
            assert cursor.fetchone() == (count,), f"{table} with Demo Co's scope"
        cursor.execute("SELECT set_config('collab.organization_id', %s, false)", [str(other.id)])
        seen_other = 0
        for table in tables:
            cursor.execute(f"SELECT organization_id FROM {table}")  # noqa: S608
            ids = {row[0] for row in cursor.fetchall()}
            assert demo.id not in ids, f"{table} shows Demo Co's rows to Other Co"
            seen_other += other.id in ids
        assert seen_other >= 10
        # Nor can Other Co's scope change a Demo Co row, or move a row there.
        cursor.execute(
            "UPDATE departments_department SET name_en = 'x' WHERE organization_id = %s",
            [demo.id],
        )
        assert cursor.rowcount == 0
        with pytest.raises(psycopg2.errors.InsufficientPrivilege):
            cursor.execute(
                "UPDATE departments_department SET organization_id = %s WHERE organization_id = %s",
                [demo.id, other.id],
            )


def test_a_raw_statement_without_a_filter_is_scoped_and_no_scope_leaks(two_orgs):
    demo, other = two_orgs
    everything = "SELECT DISTINCT organization_id FROM departments_department"
    with django_as_app_role():
        with tenancy.organization_scope(demo.id), connection.cursor() as cursor:
            cursor.execute(everything)
            assert cursor.fetchall() == [(demo.id,)]
        # The same persistent connection, the next "request": nothing carried over.
        with connection.cursor() as cursor:
            cursor.execute(everything)
            assert cursor.fetchall() == []
            cursor.execute("SELECT current_setting('collab.organization_id', true), current_user")
            assert cursor.fetchone() == ("", rls.app_role())
        # Two scopes in one transaction: each statement carries its own.
        with transaction.atomic(), connection.cursor() as cursor:
            with tenancy.organization_scope(demo.id):
                cursor.execute(everything)
                assert cursor.fetchall() == [(demo.id,)]
            with tenancy.organization_scope(other.id):
                cursor.execute(everything)
                assert cursor.fetchall() == [(other.id,)]
            cursor.execute(everything)
            assert cursor.fetchall() == []


def test_composed_sql_carries_the_scope_too(two_orgs):
    """psycopg2's composed SQL (``sql.SQL``) gets the prefix like a string: without
    it, a composed statement after an unscoped one in the same transaction
    would run as the service role, past row-level security."""
    from psycopg2 import sql

    with django_as_app_role(), transaction.atomic(), connection.cursor() as cursor:
        with tenancy.dangerously_unscoped("a test: leave the service role set"):
            cursor.execute("SELECT 1")
        cursor.execute(
            sql.SQL("SELECT current_user, count(*) FROM {}").format(
                sql.Identifier("departments_department")
            )
        )
        assert cursor.fetchone() == (rls.app_role(), 0)


def test_a_failed_statement_in_a_savepoint_rolls_back_cleanly(two_orgs):
    demo, _other = two_orgs
    with django_as_app_role(), tenancy.organization_scope(demo.id), transaction.atomic():
        existing = Department.objects.first()
        duplicate = Department.objects.get(pk=existing.pk)
        duplicate.pk = None
        with pytest.raises(IntegrityError), transaction.atomic():
            duplicate.save()
        assert Department.objects.filter(pk=existing.pk).exists()


def test_the_unscoped_path_switches_role_and_is_logged(two_orgs, caplog):
    demo, other = two_orgs
    with django_as_app_role():
        with (
            caplog.at_level(logging.INFO, logger="collab.tenancy.unscoped"),
            tenancy.dangerously_unscoped("a test's cross-organization read"),
            connection.cursor() as cursor,
        ):
            cursor.execute(
                "SELECT DISTINCT organization_id, current_user FROM departments_department "
                "ORDER BY 1"
            )
            rows = cursor.fetchall()
        assert {r[0] for r in rows} >= {demo.id, other.id}
        assert {r[1] for r in rows} == {rls.service_role()}
        assert "a test's cross-organization read" in caplog.text
        assert "tests/test_rls.py" in caplog.text
        with connection.cursor() as cursor:  # and back: the app role, no rows
            cursor.execute("SELECT current_user, count(*) FROM departments_department")
            assert cursor.fetchone() == (rls.app_role(), 0)


def test_applying_the_policies_again_changes_nothing(db):
    assert rls.apply_policies(connection) == []


def test_the_scope_costs_no_extra_query(two_orgs):
    demo, _other = two_orgs
    from django.test.utils import CaptureQueriesContext

    with django_as_app_role(), tenancy.organization_scope(demo.id):
        with CaptureQueriesContext(connection) as captured:
            assert Department.objects.count() > 0
            with transaction.atomic():
                assert Department.objects.filter(code="rnd").exists()
        # One statement each, besides the atomic block's BEGIN and COMMIT: the
        # scope rides in the statement's own query string.
        statements = [q["sql"] for q in captured]
        assert statements[1:2] == ["BEGIN"] and statements[3:] == ["COMMIT"]
        assert len(statements) == 4
        assert statements[0].startswith("SELECT set_config('role', 'none', true), set_config(")
        assert f"'{demo.id}', true); SELECT COUNT(*)" in statements[0]
