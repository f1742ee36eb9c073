"""Helpers of the pipeline suites (fixtures live in pipeline/conftest.py)."""

from __future__ import annotations

import datetime as dt

SH = dt.timezone(dt.timedelta(hours=8))


def at(month: int, day: int, hour: int = 12, year: int = 2025) -> dt.datetime:
    return dt.datetime(year, month, day, hour, tzinfo=SH)
