"""The arithmetic of rate lines (see plans/models.py): which rate a part of a
deal gets in a tier. Plain values, shared by the per-deal walk and the
set-based run (which passes the same figures to PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal, localcontext

from incentives.plans.models import PlanVersion, Tier

RATE_STEP = Decimal("0.001")  # rates are stored to 0.001%

RateKey = tuple[str, int | None]  # (category, bundle id): one of them set


def on_target_rate(tiers: Iterable[Tier]) -> Decimal:
    """The on-target rate, which rate lines replace: the rate of the tier that
    pays the last step up to 100% attainment (with 0–100% → 3%, 100%+ → 5%:
    3%)."""
    for tier in sorted(tiers, key=lambda t: t.from_pct):
        if tier.from_pct < 100 and (tier.to_pct is None or tier.to_pct >= 100):
            return tier.rate
    return Decimal(0)


def rates_of(version: PlanVersion) -> dict[RateKey, Decimal]:
    """The version's rate lines (prefetched ``rate_lines``) by part."""
    return {(r.category, r.bundle_id): r.rate for r in version.rate_lines.all()}


def effective_rate(
    category_rate: Decimal | None, tier_rate: Decimal, on_target: Decimal
) -> Decimal:
    """The category's rate moved by the tier as the tier moves the base rate:
    ``category × tier / on-target``, to 0.001% half up; the tier's own rate
    for a part without a rate line."""
    if category_rate is None or not on_target:
        return tier_rate
    with localcontext() as ctx:
        ctx.prec = 50
        return (category_rate * tier_rate / on_target).quantize(RATE_STEP, ROUND_HALF_UP)


def version_values(versions: list[PlanVersion], params: dict[str, object]) -> tuple[str, str]:
    """The versions (oldest first) as SQL ``VALUES`` rows ``(id, effective_from,
    until, on_target, has_rates)`` and their rate lines as ``(version_id,
    category, bundle_id, rate)``, their figures added to ``params`` (keys
    ``v<n>…``); a row of nulls for none."""
    rows: list[str] = []
    rates: list[str] = []
    for n, version in enumerate(versions):
        until = versions[n + 1].effective_from if n + 1 < len(versions) else None
        version_rates = rates_of(version)
        params |= {
            f"v{n}": version.pk,
            f"v{n}from": version.effective_from,
            f"v{n}until": until,
            f"v{n}target": on_target_rate(version.tiers.all()),
            f"v{n}rated": bool(version_rates),
        }
        rows.append(
            f"(%(v{n})s::bigint, %(v{n}from)s::date, %(v{n}until)s::date, "
            f"%(v{n}target)s::numeric, %(v{n}rated)s::boolean)"
        )
        for k, ((category, bundle_id), rate) in enumerate(sorted(version_rates.items(), key=str)):
            key = f"v{n}r{k}"
            params |= {f"{key}c": category, f"{key}b": bundle_id, f"{key}rate": rate}
            rates.append(
                f"(%(v{n})s::bigint, %({key}c)s::text, %({key}b)s::bigint, %({key}rate)s::numeric)"
            )
    return (
        ", ".join(rows) or "(NULL::bigint, NULL::date, NULL::date, 0::numeric, false)",
        ", ".join(rates) or "(NULL::bigint, ''::text, NULL::bigint, 0::numeric)",
    )
