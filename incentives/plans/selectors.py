"""Reads of commission plans: the version in force on a day, and the deals
whose sold categories or bundles a version with rate lines does not rate."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone

from incentives.plans.models import CommissionPlan, PlanVersion
from incentives.plans.parts import PARTS_SQL
from incentives.plans.rates import rates_of, version_values
from pricing.bundles.models import Bundle
from pricing.catalog.models import Category


def plans_all() -> QuerySet[CommissionPlan]:
    return CommissionPlan.objects.prefetch_related(
        "versions__tiers", "versions__rate_lines__bundle"
    ).order_by("name", "id")


def plan_choices() -> QuerySet[CommissionPlan]:
    """The plans by name, for a choice of plan (no versions read)."""
    return CommissionPlan.objects.only("name").order_by("name", "id")


def plan_versions(plan_id: int) -> list[PlanVersion]:
    """Every version of the plan with its tiers and rate lines, oldest first."""
    return list(
        PlanVersion.objects.filter(plan_id=plan_id)
        .prefetch_related("tiers", "rate_lines")
        .order_by("effective_from")
    )


def version_on(versions: list[PlanVersion], day: dt.date) -> PlanVersion | None:
    """The version in force on ``day``: the latest effective on or before it."""
    found = None
    for version in versions:
        if version.effective_from <= day:
            found = version
    return found


GAPS_SHOWN = 50

_GAPS = """
WITH versions (id, effective_from, until, on_target, has_rates) AS (VALUES {versions}),
rates (version_id, category, bundle_id, rate) AS (VALUES {rates}),
won AS (
    SELECT o.id AS opportunity_id, o.name, (o.stage_entered_at AT TIME ZONE %(tz)s)::date AS day
    FROM pipeline_opportunity o JOIN pipeline_stage s ON s.id = o.stage_id AND s.is_won
    WHERE o.organization_id = %(org)s AND o.currency = %(currency)s
        AND o.stage_entered_at >= %(since)s
),{parts}
SELECT w.opportunity_id, w.name, w.day, k.category, k.bundle_id
FROM won w JOIN parts k ON k.opportunity_id = w.opportunity_id
JOIN versions v ON v.has_rates AND v.effective_from <= w.day
    AND (v.until IS NULL OR w.day < v.until)
WHERE NOT EXISTS (SELECT 1 FROM rates r WHERE r.version_id = v.id
    AND r.category = k.category AND r.bundle_id IS NOT DISTINCT FROM k.bundle_id)
ORDER BY w.day DESC, w.opportunity_id, k.n
LIMIT %(limit)s
"""


def plan_rate_gaps(plan: CommissionPlan) -> list[dict[str, object]]:
    """Won deals (the latest first, at most ``GAPS_SHOWN`` rows) that sold a
    category or bundle the version in force on their win day does not rate,
    although it has rate lines: they are paid at the tier rate. One query;
    none for a plan without rate lines."""
    versions = list(plan.versions.all())  # prefetched with tiers and rate lines by plans_all
    rated = [v for v in versions if rates_of(v)]
    if not rated:
        return []
    tz = timezone.get_current_timezone()
    since = min(v.effective_from for v in rated)
    params: dict[str, object] = {
        "org": plan.organization_id,
        "currency": plan.currency,
        "tz": getattr(tz, "key", str(tz)),
        "since": dt.datetime.combine(since, dt.time.min, tzinfo=tz),
        "limit": GAPS_SHOWN,
    }
    rows_sql, rates_sql = version_values(sorted(versions, key=lambda v: v.effective_from), params)
    with connection.cursor() as cur:
        cur.execute(
            _GAPS.format(versions=rows_sql, rates=rates_sql, parts=PARTS_SQL.format(deals="won")),
            params,
        )
        return gap_warnings(cur.fetchall())


def gap_warnings(rows: list[tuple]) -> list[dict[str, object]]:
    """(deal id, name, win day, category, bundle id) rows as the warnings a
    run stores and the pages and API show (``kind`` ``no_rate``)."""
    return [
        {
            "kind": "no_rate",
            "opportunity_id": opp,
            "name": name,
            "day": day.isoformat(),
            "category": category,
            "bundle_id": bundle_id,
        }
        for opp, name, day, category, bundle_id in rows
    ]


def bundle_names(bundle_ids: Iterable[int | None]) -> dict[int, str]:
    """The bundles' names (in the reader's language) by id, one query; none asked, none run."""
    ids = {pk for pk in bundle_ids if pk}
    if not ids:
        return {}
    return {b.pk: b.name for b in Bundle.objects.filter(pk__in=ids).only("name_zh", "name_en")}


def part_name(category: str, bundle_id: int | None, bundles: dict[int, str]) -> str:
    """What a part of a deal is called: its category's label, its bundle's
    name, or "" for the whole deal."""
    if bundle_id:
        return bundles.get(bundle_id, f"#{bundle_id}")
    if category in Category.values:
        return str(Category(category).label)
    return category


def name_parts(rows: list, bundles: dict[int, str] | None = None) -> list:
    """Set ``part`` on payout lines or portions (attributes ``category`` and
    ``bundle_id``) and on warning dicts, for the pages; returns them."""

    def get(row, key):
        return row.get(key) if isinstance(row, dict) else getattr(row, key, None)

    if bundles is None:
        bundles = bundle_names(get(row, "bundle_id") for row in rows)
    for row in rows:
        name = part_name(get(row, "category") or "", get(row, "bundle_id"), bundles)
        if isinstance(row, dict):
            row["part"] = name
        else:
            row.part = name
    return rows
