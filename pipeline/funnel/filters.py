"""The funnel's filters: a period, its previous one of equal length, owner, team, industry, currency."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from pipeline.periods import DEFAULT_PERIOD_DAYS


@dataclass(frozen=True)
class FunnelFilters:
    start: dt.date  # first day of the period, inclusive
    end: dt.date  # last day of the period, inclusive
    owner_id: int | None = None
    department_id: int | None = None  # the owner's department ("team")
    industry: str = ""
    currency: str = "CNY"

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> FunnelFilters:
        end = self.start - dt.timedelta(days=1)
        return FunnelFilters(
            start=end - dt.timedelta(days=self.days - 1),
            end=end,
            owner_id=self.owner_id,
            department_id=self.department_id,
            industry=self.industry,
            currency=self.currency,
        )


def default_filters(today: dt.date | None = None, **kwargs) -> FunnelFilters:
    """The default view: the last 90 days, ending today."""
    today = today or timezone.localdate()
    return FunnelFilters(
        start=today - dt.timedelta(days=DEFAULT_PERIOD_DAYS - 1), end=today, **kwargs
    )
