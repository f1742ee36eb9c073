"""PostgreSQL row-level security: the database as the backstop of tenancy.

Two halves, both generic so that a table added later (a new app, a new link
table) is covered without anyone remembering:

* **Policies** (``apply_policies``, run after every ``migrate``): every table
  of the schema with an ``organization_id`` column, and every concrete
  ``TenantModel``, gets ``ENABLE`` and ``FORCE ROW LEVEL SECURITY`` and the
  policy ``collab_tenant_isolation``::

      organization_id = NULLIF(current_setting('collab.organization_id', true), '')::bigint

  (``NULLIF``: once a connection has seen the setting, "unset" reads as ''
  rather than NULL, and ''::bigint would be an error instead of no rows.)
  The application and service roles get DML on every table.

* **Scope** (``scope_statement``, an execute wrapper on every connection of a
  role that RLS applies to): each statement is sent as ONE query string with a
  transaction-local prefix::

      SELECT set_config('role', 'none', true), set_config('collab.organization_id', '42', true);
      <the statement>

  In autocommit the two form one implicit transaction; in an atomic block the
  values hold until the next statement sets them again. ``true`` makes them
  transaction-local (``SET LOCAL``), so nothing survives the transaction: a
  persistent or pooled connection never carries a scope into another request
  or task, and a rolled-back savepoint cannot leave a stale one behind. No
  extra round trip: the prefix rides in the statement's own message.
  ``tenancy.dangerously_unscoped()`` makes the prefix switch to the service
  role (``BYPASSRLS``, which the app role is a member of) instead.

Roles (created by ``.ci/run``, ``collab/devdb.py`` and docker-compose's init
script; see README "Database roles"): ``COLLAB_DB_OWNER_ROLE`` owns the tables
and runs migrations, ``COLLAB_DB_APP_ROLE`` is what the app connects as (no
superuser, no BYPASSRLS, owns nothing), ``COLLAB_DB_SERVICE_ROLE`` (NOLOGIN,
BYPASSRLS) is the audited cross-organization path. A connection whose role is
a superuser or has BYPASSRLS (the owner running migrations, a developer's
``postgres``) is left alone: RLS would not apply to it anyway.
"""

from __future__ import annotations

import functools
import re

from django.apps import apps
from django.conf import settings
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate
from psycopg2 import sql

from collab import tenancy

POLICY = "collab_tenant_isolation"
SETTING = "collab.organization_id"
CONDITION = f"organization_id = NULLIF(current_setting('{SETTING}', true), '')::bigint"
_ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")
# Transaction control: never prefixed (ROLLBACK TO SAVEPOINT must run in an
# aborted transaction, where any other statement fails).
_CONTROL = ("SAVEPOINT", "RELEASE", "ROLLBACK", "COMMIT", "BEGIN", "START", "END")


def app_role() -> str:
    return _role("COLLAB_DB_APP_ROLE", "collab_app")


def service_role() -> str:
    return _role("COLLAB_DB_SERVICE_ROLE", "collab_service")


def _role(name: str, default: str) -> str:
    value = getattr(settings, name, default)
    if not _ROLE_NAME.match(value):
        raise ValueError(f"{name}={value!r} is not a plain PostgreSQL role name")
    return value


# --- policies ----------------------------------------------------------------------------


def model_tables() -> set[str]:
    """The tables of every concrete ``TenantModel`` (and any model with ``organization_id``)."""
    tables = set()
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.abstract or meta.proxy or not meta.managed:
            continue
        if issubclass(model, tenancy.TenantModel) or any(
            getattr(f, "attname", None) == "organization_id" for f in meta.concrete_fields
        ):
            tables.add(meta.db_table)
    return tables


_STATE_SQL = """
SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity,
       EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid AND p.polname = %s)
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p') AND n.nspname = current_schema()
  AND (c.relname = ANY(%s) OR EXISTS (
        SELECT 1 FROM pg_attribute a
        WHERE a.attrelid = c.oid AND a.attname = 'organization_id' AND NOT a.attisdropped))
ORDER BY c.relname
"""


def table_states(cursor) -> list[tuple[str, bool, bool, bool]]:
    """(table, rls enabled, rls forced, has the policy) for every tenant table."""
    cursor.execute(_STATE_SQL, [POLICY, sorted(model_tables())])
    return list(cursor.fetchall())


def apply_policies(connection) -> list[str]:
    """Enable, force and add the policy where missing; grant DML to the roles.

    Idempotent and cheap when nothing is missing (one catalog query). Run as
    the tables' owner (``migrate``); returns the tables it changed."""
    changed = []
    with connection.cursor() as cursor:
        for table, enabled, forced, has_policy in table_states(cursor):
            name = sql.Identifier(table)
            statements = []
            if not enabled:
                statements.append(sql.SQL("ALTER TABLE {} ENABLE ROW LEVEL SECURITY").format(name))
            if not forced:
                statements.append(sql.SQL("ALTER TABLE {} FORCE ROW LEVEL SECURITY").format(name))
            if not has_policy:
                statements.append(
                    sql.SQL("CREATE POLICY {} ON {} USING ({}) WITH CHECK ({})").format(
                        sql.Identifier(POLICY), name, sql.SQL(CONDITION), sql.SQL(CONDITION)
                    )
                )
            for statement in statements:
                cursor.execute(statement.as_string(cursor.cursor))
            if statements:
                changed.append(table)
        grant_roles(cursor)
    return changed


def grant_roles(cursor) -> None:
    """DML on every table and the sequences, for the app and service roles that exist."""
    cursor.execute(
        "SELECT rolname FROM pg_roles WHERE rolname = ANY(%s) AND rolname <> current_user",
        [[app_role(), service_role()]],
    )
    roles = [sql.Identifier(name) for (name,) in cursor.fetchall()]
    if not roles:
        return
    grantees = sql.SQL(", ").join(roles)
    for statement in (
        "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {}",
        "GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {}",
    ):
        cursor.execute(sql.SQL(statement).format(grantees).as_string(cursor.cursor))


def _post_migrate(sender, using="default", **kwargs) -> None:
    from django.db import connections

    connection = connections[using]
    connection.ensure_connection()
    if getattr(connection, "collab_rls", False):
        return  # the app role (a test's flush): it may not alter tables, nor need to
    apply_policies(connection)


# --- the scope of each statement ----------------------------------------------------------


def prefix() -> str:
    """The transaction-local settings for the tenancy scope in effect now."""
    return _prefix(tenancy.is_unscoped(), tenancy.current_organization_id())


@functools.lru_cache(maxsize=4096)
def _prefix(unscoped: bool, organization_id: int | None) -> str:
    # Runs before every statement: one string per scope (a handful of
    # organizations, and the unscoped one), built and validated once.
    if unscoped:
        role, organization = service_role(), ""
    else:
        role, organization = "none", str(int(organization_id)) if organization_id else ""
    return (
        f"SELECT set_config('role', '{role}', true), "
        f"set_config('{SETTING}', '{organization}', true); "
    )


def scope_statement(execute, sql_text, params, many, context):
    """Execute wrapper: send the scope with the statement (see the module doc)."""
    if not getattr(context["connection"], "collab_rls", False):
        return execute(sql_text, params, many, context)
    if isinstance(sql_text, sql.Composable):
        # psycopg2's composed SQL gets the scope too: unprefixed, it would run
        # with whatever scope the transaction's previous statement set (the
        # service role, after an unscoped statement in the same atomic block).
        sql_text = sql_text.as_string(context["cursor"].cursor)
    if not isinstance(sql_text, str) or sql_text.lstrip()[:9].upper().startswith(_CONTROL):
        return execute(sql_text, params, many, context)
    return execute(prefix() + sql_text, params, many, context)


def _on_connect(sender, connection, **kwargs) -> None:
    # The raw driver cursor: not a query of the code under test (query counts).
    with connection.connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user")
        row = cursor.fetchone()
    connection.collab_rls = not (row and row[0])
    if scope_statement not in connection.execute_wrappers:
        # Innermost, so other wrappers (and connection.execute_wrapper()'s
        # pop of the last one) see and keep what they added.
        connection.execute_wrappers.insert(0, scope_statement)


def install() -> None:
    """Called once from an AppConfig.ready()."""
    connection_created.connect(_on_connect, dispatch_uid="collab.rls.scope")
    post_migrate.connect(
        _post_migrate, sender=apps.get_app_config("departments"), dispatch_uid="collab.rls.policies"
    )
