"""The loop's figures (roadmap page and ops dashboard): requirements by state,
median business time submitted → decision and decision → shipped, the share
validated by a prototype, the share declined, and revenue influenced: deals
behind a shipped requirement that were won after it shipped, and their amount.
Three statements whatever the data size."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection
from django.db.models import Count

from collab.money import Money
from roadmap.models import Requirement, State

_MEDIANS_SQL = """
SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY decision_minutes),
       percentile_cont(0.5) WITHIN GROUP (ORDER BY ship_minutes),
       count(*) FILTER (WHERE decided_at IS NOT NULL),
       count(*) FILTER (WHERE decided_at IS NOT NULL AND state = 'declined'),
       count(*) FILTER (WHERE decided_at IS NOT NULL AND EXISTS (
           SELECT 1 FROM roadmap_prototype p
           WHERE p.organization_id = r.organization_id AND p.requirement_id = r.id
             AND p.completed_at IS NOT NULL))
FROM roadmap_requirement r
WHERE r.organization_id = %s
"""

# A deal counts once however many shipped requirements it backs; "won after
# it shipped" is the deal's entry into its won stage after the requirement's
# shipping time.
_INFLUENCED_SQL = """
SELECT o.currency, count(*), sum(o.amount)
FROM pipeline_opportunity o
JOIN pipeline_stage s ON s.id = o.stage_id AND s.is_won
WHERE o.organization_id = %s AND EXISTS (
    SELECT 1 FROM roadmap_backer b
    JOIN roadmap_requirement r ON r.id = b.requirement_id
    WHERE b.organization_id = o.organization_id AND b.opportunity_id = o.id
      AND r.state = 'shipped' AND o.stage_entered_at > r.shipped_at)
GROUP BY o.currency ORDER BY o.currency
"""


@dataclass
class LoopMetrics:
    by_state: dict[str, int]
    median_decision_minutes: int | None
    median_ship_minutes: int | None
    decided: int
    declined_share: Decimal | None
    validated_share: Decimal | None
    influenced_deals: int = 0
    influenced: list[Money] = field(default_factory=list)


def _share(part: int, whole: int) -> Decimal | None:
    return (Decimal(part) * 100 / whole).quantize(Decimal("0.1")) if whole else None


def loop_metrics(organization_id: int) -> LoopMetrics:
    counts = dict(
        Requirement.objects.exclude(state=State.MERGED)
        .values_list("state")
        .annotate(n=Count("id"))
        .values_list("state", "n")
    )
    with connection.cursor() as cursor:
        cursor.execute(_MEDIANS_SQL, [organization_id])
        med_decision, med_ship, decided, declined, validated = cursor.fetchone()
        cursor.execute(_INFLUENCED_SQL, [organization_id])
        influenced = cursor.fetchall()
    return LoopMetrics(
        by_state={state: counts.get(state, 0) for state in State.values if state != State.MERGED},
        median_decision_minutes=None if med_decision is None else int(med_decision),
        median_ship_minutes=None if med_ship is None else int(med_ship),
        decided=decided,
        declined_share=_share(declined, decided),
        validated_share=_share(validated, decided),
        influenced_deals=sum(n for _c, n, _a in influenced),
        influenced=[Money(Decimal(amount), currency) for currency, _n, amount in influenced],
    )
