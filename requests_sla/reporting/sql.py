"""SQL building blocks of the dashboard's reads: raw reads in the organization in scope, and two expressions the ORM lacks."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.db.models import (
    Aggregate,
    FloatField,
    Func,
    IntegerField,
)

from collab.tenancy import require_organization_id


class WeeksSince(Func):
    """Whole weeks from the second date to the first: ``(day - first) / 7``
    on PostgreSQL (date minus date is days), by Julian day numbers on the
    SQLite dev default."""

    template = "((%(expressions)s) / 7)"
    arg_joiner = " - "
    output_field = IntegerField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler,
            connection,
            template="CAST((julianday(%(expressions)s)) / 7 AS INTEGER)",
            arg_joiner=") - julianday(",
            **extra_context,
        )


class PercentileCont(Aggregate):
    """PostgreSQL's ``percentile_cont(p) WITHIN GROUP (ORDER BY x)``, usable
    with ``filter=``. Other databases (the SQLite dev default) get NULL."""

    function = "percentile_cont"
    name = "PercentileCont"
    output_field = FloatField()

    def __init__(self, expression, fraction: float, **extra):
        self.template = f"%(function)s({float(fraction)!r}) WITHIN GROUP (ORDER BY %(expressions)s)"
        super().__init__(expression, **extra)

    def as_sql(self, compiler, connection, **extra_context):
        if connection.vendor != "postgresql":
            return "NULL", []
        return super().as_sql(compiler, connection, **extra_context)


def rows_in_scope(sql: str, params: list[Any], *, first: list[Any] = ()) -> list[tuple]:
    """A raw read in the organization in scope. The dashboard's hottest
    reads are written as SQL: building them through the ORM took longer than
    PostgreSQL took to run them (issue #5: at most 3× the SQL floor). Each
    one names ``organization_id = %s`` itself, filled from the scope, which
    fails closed when there is none; ``first`` are the parameters of the
    select list, which come before it."""
    with connection.cursor() as cursor:
        cursor.execute(sql, [*first, require_organization_id(), *params])
        return cursor.fetchall()


def placeholders(values) -> str:
    return ", ".join(["%s"] * len(values))
