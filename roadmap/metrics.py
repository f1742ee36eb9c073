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
WITH hits AS (
    SELECT DISTINCT b.opportunity_id
    FROM roadmap_requirement r
    JOIN roadmap_backer b ON b.organization_id = r.organization_id AND b.requirement_id = r.id
    JOIN pipeline_opportunity o ON o.id = b.opportunity_id
    JOIN pipeline_stage s ON s.id = o.stage_id AND s.is_won
    WHERE r.organization_id = %s AND r.state = 'shipped' AND o.stage_entered_at > r.shipped_at
)
SELECT o.currency, count(*), sum(o.amount)
FROM hits JOIN pipeline_opportunity o ON o.id = hits.opportunity_id
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


CACHE_SECONDS = 300


def loop_metrics_cached(organization_id: int) -> LoopMetrics:
    """The page's copy: recomputed at most every five minutes (the figures
    move with boards and releases, not by the second; at 20,000 requirements
    the full computation is most of the page's time)."""
    from django.core.cache import cache

    key = f"roadmap:loop:{organization_id}"
    metrics = cache.get(key)
    if metrics is None:
        metrics = loop_metrics(organization_id)
        cache.set(key, metrics, CACHE_SECONDS)
    return metrics
