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
    (date minus date is days)."""

    template = "((%(expressions)s) / 7)"
    arg_joiner = " - "
    output_field = IntegerField()


class PercentileCont(Aggregate):
    """PostgreSQL's ``percentile_cont(p) WITHIN GROUP (ORDER BY x)``, usable
    with ``filter=``."""

    function = "percentile_cont"
    name = "PercentileCont"
    output_field = FloatField()

    def __init__(self, expression, fraction: float, **extra):
        self.template = f"%(function)s({float(fraction)!r}) WITHIN GROUP (ORDER BY %(expressions)s)"
        super().__init__(expression, **extra)


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
