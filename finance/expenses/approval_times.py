"""Finance's promise to the business: how long each step of the expense
approval chain takes (median and p90, in business hours) and the share of
steps approved within their SLA.

One SQL read. The business time is the step timer's ``elapsed_minutes``:
the SLA engine computed it from the step's activation to its decision on
the working calendar the timer ran under (holidays, exceptions and pauses
included), so the calendar is never re-implemented here; PostgreSQL only
ranks those minutes (``percentile_cont``) per step position."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from departments.models import bilingual
from finance.expenses.services import EXPENSE_TYPE
from requests_sla.reporting.sql import rows_in_scope

WINDOW_DAYS = 90

_SQL = """
SELECT s.position, min(s.name_zh), min(s.name_en), count(*),
       percentile_cont(0.5) WITHIN GROUP (ORDER BY t.elapsed_minutes),
       percentile_cont(0.9) WITHIN GROUP (ORDER BY t.elapsed_minutes),
       count(*) FILTER (WHERE t.met)
  FROM requests_sla_approvalstep s
  JOIN requests_sla_slatimer t ON t.id = s.timer_id AND t.organization_id = s.organization_id
  JOIN requests_sla_request r ON r.id = s.request_id AND r.organization_id = s.organization_id
  JOIN requests_sla_requesttype rt ON rt.id = r.request_type_id
 WHERE s.organization_id = %s
   AND s.state = 'approved' AND t.stopped_at IS NOT NULL
   AND s.acted_at >= %s AND rt.code = %s
 GROUP BY s.position
 ORDER BY s.position
"""


@dataclass(frozen=True)
class StepTimes:
    position: int
    name: str
    approved: int
    median_hours: Decimal
    p90_hours: Decimal
    within_sla: int

    @property
    def within_sla_pct(self) -> Decimal:
        return _pct(self.within_sla, self.approved)


@dataclass(frozen=True)
class ApprovalTimes:
    steps: list[StepTimes]
    since: dt.datetime

    @property
    def approved(self) -> int:
        return sum(s.approved for s in self.steps)

    @property
    def within_sla_pct(self) -> Decimal | None:
        if not self.approved:
            return None
        return _pct(sum(s.within_sla for s in self.steps), self.approved)


def _pct(part: int, whole: int) -> Decimal:
    return (Decimal(100 * part) / Decimal(whole)).quantize(Decimal("0.1")) if whole else Decimal(0)


def _hours(minutes: float) -> Decimal:
    return (Decimal(str(minutes)) / Decimal(60)).quantize(Decimal("0.1"))


def approval_times(*, now: dt.datetime, days: int = WINDOW_DAYS) -> ApprovalTimes:
    """The expense chain's steps decided (approved) in the last ``days``."""
    since = now - dt.timedelta(days=days)
    rows = rows_in_scope(_SQL, [since, EXPENSE_TYPE])
    return ApprovalTimes(
        steps=[
            StepTimes(
                position=position,
                name=bilingual(name_zh, name_en),
                approved=count,
                median_hours=_hours(p50),
                p90_hours=_hours(p90),
                within_sla=met,
            )
            for position, name_zh, name_en, count, p50, p90, met in rows
        ],
        since=since,
    )
