"""Reads of requirement review: revenue at stake, similar requirements, the score."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Count, QuerySet

from collab.money import Money
from roadmap.models import Backer, Feasibility, Requirement, State
from roadmap.search import search_words

# Revenue at stake, per requirement and currency, in one statement: an open
# deal counts its amount weighted by its probability (rounded to the fen,
# half up: PostgreSQL's round(numeric) rounds half away from zero, the same
# for amounts that are never negative); a won deal counts in full when its
# backer marked it needed for renewal or expansion; lost deals never count.
_REVENUE_SQL = """
SELECT b.requirement_id, o.currency,
       SUM(CASE WHEN s.is_won THEN o.amount
                ELSE round(o.amount * o.probability / 100.0, 2) END)
FROM roadmap_backer b
JOIN pipeline_opportunity o ON o.id = b.opportunity_id
JOIN pipeline_stage s ON s.id = o.stage_id
WHERE b.requirement_id = ANY(%s)
  AND NOT s.is_lost
  AND (NOT s.is_won OR b.needed_for_renewal)
GROUP BY b.requirement_id, o.currency
ORDER BY b.requirement_id, o.currency
"""


def revenue_at_stake(requirement_ids: Iterable[int]) -> dict[int, list[Money]]:
    """The one selector of revenue at stake: requirement id → amounts by currency."""
    ids = sorted(set(requirement_ids))
    result: dict[int, list[Money]] = {pk: [] for pk in ids}
    if not ids:
        return result
    with connection.cursor() as cursor:
        cursor.execute(_REVENUE_SQL, [ids])
        for requirement_id, currency, amount in cursor.fetchall():
            result[requirement_id].append(Money(Decimal(amount), currency))
    return result


SIMILARITY_THRESHOLD = 0.35
_SIMILAR_SQL = """
SELECT id, word_similarity(%s, search_text) AS score
FROM roadmap_requirement
WHERE organization_id = %s AND state <> 'merged' AND %s <%% search_text
ORDER BY score DESC, id DESC
LIMIT %s
"""


def similar_requirements(
    organization_id: int, *parts: str, limit: int = 5, exclude: int | None = None
) -> list[Requirement]:
    """Existing requirements whose words look like ``parts`` (pg_trgm over
    jieba-segmented text, so Chinese and English both match)."""
    words = search_words(*parts)
    if len(words) < 2:
        return []
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL pg_trgm.word_similarity_threshold = %s", [SIMILARITY_THRESHOLD])
        cursor.execute(_SIMILAR_SQL, [words, organization_id, words, limit + 1])
        ranked = [pk for pk, _score in cursor.fetchall() if pk != exclude][:limit]
    found = Requirement.objects.in_bulk(ranked)
    return [found[pk] for pk in ranked if pk in found]


CONFIDENCE = {
    Feasibility.FEASIBLE: Decimal("1"),
    Feasibility.CONDITIONAL: Decimal("0.5"),
    Feasibility.NOT_FEASIBLE: Decimal("0.1"),
}
SCORE_PLACES = Decimal("0.01")


def score(*, reach: int, impact: int, feasibility: str, cost_low, cost_high) -> Decimal:
    """RICE: reach (backing accounts) × impact (1–3, Business) × confidence
    (feasible 1, with conditions 0.5, not feasible 0.1: R&D) ÷ effort (the
    mid-point of the person-day estimate, at least 1)."""
    confidence = CONFIDENCE.get(feasibility, Decimal("0.5"))
    if cost_low is None or cost_high is None:
        effort = Decimal("1")
    else:
        effort = max(Decimal("1"), (Decimal(cost_low) + Decimal(cost_high)) / 2)
    return (Decimal(reach) * Decimal(impact) * confidence / effort).quantize(SCORE_PLACES)


def reach_of(requirement_ids: Iterable[int]) -> dict[int, int]:
    rows = (
        Backer.objects.filter(requirement_id__in=list(requirement_ids))
        .values("requirement_id")
        .annotate(n=Count("account_id", distinct=True))
    )
    return {r["requirement_id"]: r["n"] for r in rows}


QUEUES = {
    "assess": (State.SUBMITTED, State.UNDER_ASSESSMENT),
    "review": (State.READY_FOR_REVIEW,),
    "validate": (State.PROTOTYPE, State.VALIDATING),
}


def requirements_list(*, state: str = "", queue: str = "", user_id: int | None = None):
    """The list page's rows: a queue (R&D's assessments due, the board's
    agenda, validations) or the member's customers' requirements."""
    if queue == "mine" and user_id is not None:
        qs = requirements_of_customers(user_id)
    else:
        qs = Requirement.objects.exclude(state=State.MERGED)
        if queue in QUEUES:
            qs = qs.filter(state__in=QUEUES[queue])
    if state in State.values:
        qs = qs.filter(state=state)
    return qs.select_related("submitted_by").order_by("-submitted_at", "-id")


def requirement_page(requirement: Requirement) -> dict:
    """Everything the requirement page shows besides the row itself: five reads."""
    from roadmap.models import BoardItem, Prototype

    backers = list(
        Backer.objects.filter(requirement=requirement).select_related(
            "account", "opportunity__stage", "opportunity__owner"
        )
    )
    prototype = (
        Prototype.objects.filter(requirement=requirement)
        .prefetch_related("customers__account", "customers__contact")
        .first()
    )
    return {
        "backers": backers,
        "revenue": revenue_at_stake([requirement.pk])[requirement.pk],
        "prototype": prototype,
        "board_items": list(
            BoardItem.objects.filter(requirement=requirement)
            .exclude(decision="")
            .select_related("board", "decided_by")
            .order_by("-decided_at")
        ),
        "history": list(
            requirement.history.select_related("history_user").order_by("-history_date")[:20]
        ),
    }


def with_revenue(requirements: list[Requirement]) -> list[Requirement]:
    """Carry each requirement's revenue at stake and reach (two reads for the page)."""
    ids = [r.pk for r in requirements]
    revenue = revenue_at_stake(ids)
    reach = reach_of(ids)
    for r in requirements:
        r.revenue = revenue.get(r.pk, [])  # type: ignore[attr-defined]
        r.reach = reach.get(r.pk, 0)  # type: ignore[attr-defined]
    return requirements


def requirements_of_customers(user_id: int) -> QuerySet[Requirement]:
    """ "My customers' requirements": backed by an account or deal the user owns,
    or filed by them. The backers are found from the user's accounts and deals
    (two index lookups, a UNION), not by testing every requirement."""
    from django.db.models import Q
    from django.db.models.expressions import RawSQL

    from collab.tenancy import require_organization_id

    # The organization as a constant, not a join column: the planner then reads
    # the user's deals from the (organization, owner) index alone and the
    # backers from indexes that carry the requirement id (no heap visits).
    organization_id = require_organization_id()
    backed = RawSQL(
        "SELECT b.requirement_id FROM roadmap_backer b"
        " JOIN pipeline_account a ON a.id = b.account_id"
        " WHERE a.organization_id = %s AND a.owner_id = %s AND b.organization_id = %s"
        " UNION SELECT b.requirement_id FROM roadmap_backer b"
        " JOIN pipeline_opportunity o ON o.id = b.opportunity_id"
        " WHERE o.organization_id = %s AND o.owner_id = %s AND b.organization_id = %s",
        [organization_id, user_id, organization_id] * 2,
    )
    return Requirement.objects.filter(Q(pk__in=backed) | Q(submitted_by_id=user_id)).exclude(
        state=State.MERGED
    )


def board_participants(organization_id: int, requirement_ids: list[int]):
    """The heads of Business, R&D and Product, and the agenda's backers' reps
    (one read: a UNION of three index lookups). The backers' accounts and
    deals are fetched by their ids (``= ANY(ARRAY(…))``), so a long agenda
    never turns the join into a scan of every deal of the organization."""
    from django.contrib.auth import get_user_model
    from django.db.models.expressions import RawSQL

    ids = RawSQL(
        "SELECT m.user_id FROM departments_membership m"
        " JOIN departments_department d ON d.id = m.department_id"
        " WHERE m.organization_id = %s AND m.role = 'dept_head' AND m.is_active"
        " AND d.code IN ('business', 'rnd', 'product')"
        " UNION SELECT a.owner_id FROM pipeline_account a WHERE a.id = ANY(ARRAY("
        "SELECT b.account_id FROM roadmap_backer b"
        " WHERE b.organization_id = %s AND b.requirement_id = ANY(%s)))"
        " UNION SELECT o.owner_id FROM pipeline_opportunity o WHERE o.id = ANY(ARRAY("
        "SELECT b.opportunity_id FROM roadmap_backer b"
        " WHERE b.organization_id = %s AND b.requirement_id = ANY(%s)))",
        [organization_id, *[organization_id, list(requirement_ids)] * 2],
    )
    return get_user_model().objects.filter(pk__in=ids).order_by("username")
