"""The product-mix measure: revenue won in the sprint's focus category or
bundle, per rep — each won deal's value split by its accepted quote exactly
as a commission is (``plans/parts.py``); a deal without quote lines counts
for no category. One query, only for a sprint with a focus."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.db import connection

from incentives.plans.parts import PARTS_SQL, SHARE_SQL
from incentives.sprints.figures import bounds
from incentives.sprints.models import Sprint

_MIX = """
WITH won AS (
    SELECT o.id AS opportunity_id, o.owner_id, o.amount
    FROM pipeline_opportunity o JOIN pipeline_stage s ON s.id = o.stage_id AND s.is_won
    WHERE o.organization_id = %(org)s AND o.owner_id = ANY(%(owners)s)
        AND o.currency = %(currency)s
        AND o.stage_entered_at >= %(since)s AND o.stage_entered_at < %(until)s
),{parts}
SELECT w.owner_id, sum({share})
FROM won w JOIN parts k ON k.opportunity_id = w.opportunity_id
WHERE k.category = %(category)s AND k.bundle_id IS NOT DISTINCT FROM %(bundle)s::bigint
GROUP BY w.owner_id
"""


def mix_won_by_owner(sprint: Sprint, user_ids: Iterable[int]) -> dict[int, Decimal]:
    """Won revenue in the sprint's focus, by owner; nothing (no query) without one."""
    if not sprint.has_mix:
        return {}
    since, until = bounds(sprint.start, sprint.end)
    params = {
        "org": sprint.organization_id,
        "owners": list(user_ids),
        "currency": sprint.currency,
        "since": since,
        "until": until,
        "category": sprint.mix_category,
        "bundle": sprint.mix_bundle_id,
    }
    sql = _MIX.format(
        parts=PARTS_SQL.format(deals="won"), share=SHARE_SQL.format(amount="w.amount")
    )
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return {owner: total for owner, total in cur.fetchall() if total}
