"""The commission arithmetic, on plain values (no database): a rep's credits
(deals won, or payments collected) walked in date order across the tiers of
the plan version in force on each deal's win day.

A credit is first divided by its deal's parts (product categories and
bundles of its accepted quote, ``plans/parts.py``), walked one after the
other in their order; a part that crosses a tier boundary is split at it:
the piece below is paid at the lower rate, the piece above at the higher
one. A part with a rate line pays the category's rate moved by the tier
(``plans/rates.py``); a part without one, or a deal without parts, the
tier's rate. Every line is rounded to
the fen (half up) once; the rep's total is the sum of the lines, then bounded
by the cap (a negative ``cap`` line).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from collab.money import round_money
from incentives.plans.models import PlanVersion
from incentives.plans.parts import Part, split
from incentives.plans.rates import effective_rate, on_target_rate, rates_of
from incentives.plans.selectors import version_on

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Credit:
    opportunity_id: int
    name: str
    day: dt.date  # when it counts (won or received)
    win_day: dt.date  # which plan version pays it
    amount: Decimal
    parts: tuple[Part, ...] = ()  # the deal's categories and bundles (none: the whole)


@dataclass(frozen=True)
class Portion:
    credit: Credit
    basis: Decimal
    rate: Decimal
    tier_label: str
    version: PlanVersion
    amount: Decimal
    category: str = ""
    bundle_id: int | None = None
    category_rate: Decimal | None = None  # the rate line's own rate, if any

    @property
    def lacks_rate(self) -> bool:
        """A sold category or bundle that its version (which has rate lines) does not rate."""
        return (
            self.category_rate is None
            and bool(self.category or self.bundle_id)
            and bool(rates_of(self.version))
        )


def _bands(
    version: PlanVersion, target: Decimal | None
) -> list[tuple[Decimal, Decimal | None, Decimal, str]]:
    """The version's tiers as money bands of this rep's target. Without a
    target there is no attainment: everything is paid at the first tier."""
    tiers = sorted(version.tiers.all(), key=lambda t: t.from_pct)
    if not target:
        first = tiers[0]
        return [(ZERO, None, first.rate, first.label)]
    return [
        (
            target * t.from_pct / 100,
            None if t.to_pct is None else target * t.to_pct / 100,
            t.rate,
            t.label,
        )
        for t in tiers
    ]


def commission_portions(
    credits: list[Credit], versions: list[PlanVersion], target: Decimal | None
) -> tuple[list[Portion], list[Credit]]:
    """Each credit's portions per part and tier, and the credits no version covers."""
    portions: list[Portion] = []
    unpaid: list[Credit] = []
    reached = ZERO
    for credit in sorted(credits, key=lambda c: (c.day, c.opportunity_id)):
        version = version_on(versions, credit.win_day)
        if version is None:
            reached += credit.amount
            unpaid.append(credit)
            continue
        rates = rates_of(version)
        on_target = on_target_rate(version.tiers.all())
        bands = _bands(version, target)
        for part, share in split(credit.amount, credit.parts):
            low_end, high_end = reached, reached + share
            reached = high_end
            key = ("", None) if part is None else (part.category, part.bundle_id)
            category_rate = rates.get(key) if part is not None else None
            for band_low, band_high, tier_rate, label in bands:
                lo = max(low_end, band_low)
                hi = high_end if band_high is None else min(high_end, band_high)
                if hi > lo:
                    basis = round_money(hi - lo)
                    rate = effective_rate(category_rate, tier_rate, on_target)
                    portions.append(
                        Portion(
                            credit,
                            basis,
                            rate,
                            label,
                            version,
                            round_money(basis * rate / 100),
                            key[0],
                            key[1],
                            category_rate,
                        )
                    )
    return portions, unpaid


def cap_reduction(portions: list[Portion], versions: list[PlanVersion], day: dt.date) -> Decimal:
    """How much the cap (of the version in force on ``day``) takes back; 0 if none."""
    version = version_on(versions, day)
    total = sum((p.amount for p in portions), ZERO)
    if version is None or version.cap is None or total <= version.cap:
        return ZERO
    return total - version.cap
