"""How a run's lines are written: plain values, then multi-row INSERTs.

A sprint of 2,000 reps pays hundreds of thousands of lines; building a model
instance per line and going through ``bulk_create`` cost more than the whole
computation, so the lines are plain dataclasses written in chunks of one
parameterised ``INSERT … VALUES`` each (through Django's cursor, so the
tenant scope of row-level security applies as for any other statement).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, fields
from decimal import Decimal

from django.db import connection

from incentives.payouts.models import PayoutLine, PayoutRun

CHUNK = 5_000


@dataclass
class Line:
    organization_id: int
    user_id: int
    kind: str
    amount: Decimal
    opportunity_id: int | None = None
    deal_name: str = ""
    credited_on: dt.date | None = None
    basis_amount: Decimal = Decimal("0.00")
    rate: Decimal | None = None
    tier_label: str = ""
    version_id: int | None = None
    award_id: int | None = None
    note: str = ""
    category: str = ""
    bundle_id: int | None = None
    category_rate: Decimal | None = None


COLUMNS = [f.name for f in fields(Line)]


def lines_write(run: PayoutRun, lines: Sequence[Line]) -> None:
    table = PayoutLine._meta.db_table
    columns = ", ".join(["run_id", *COLUMNS])
    row = "(" + ", ".join(["%s"] * (len(COLUMNS) + 1)) + ")"
    with connection.cursor() as cur:
        for start in range(0, len(lines), CHUNK):
            chunk = lines[start : start + CHUNK]
            params: list[object] = []
            for line in chunk:
                params.append(run.pk)
                params += [getattr(line, name) for name in COLUMNS]
            cur.execute(
                f"INSERT INTO {table} ({columns}) VALUES {', '.join([row] * len(chunk))}",  # noqa: S608
                params,
            )
