"""A campaign's cost: the approved expenses booked against it, beside its
budget, and its return on that cost where enablement attributes revenue to
it (deals won from its leads).

Money is never summed across currencies: the booked cost is per currency,
the budget's remainder is in the budget's currency only, and ROI is
(won revenue − cost) ÷ cost per currency where the campaign has a cost in
that currency. Three queries: the booked lines, and enablement's figures
(deals of its leads, responses)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from collab.money import Money, round_money
from enablement.campaigns.models import Campaign
from enablement.campaigns.selectors import campaign_figures
from finance.expenses.models import ExpenseLine
from finance.expenses.selectors import campaign_cost_lines, cost_totals

ZERO = Decimal("0.00")


def _pct(part: Decimal, whole: Decimal) -> Decimal:
    return (part / whole * 100).quantize(Decimal("0.1"))


@dataclass(frozen=True)
class Roi:
    currency: str
    cost: Decimal
    revenue: Decimal

    @property
    def pct(self) -> Decimal:
        """(revenue − cost) ÷ cost, in percent; −100 when nothing was won."""
        return _pct(self.revenue - self.cost, self.cost)


@dataclass(frozen=True)
class CampaignCost:
    budget: Money
    lines: list[ExpenseLine]
    booked: list[Money]
    revenue: list[Money]
    leads: int

    def _booked_in(self, currency: str) -> Decimal:
        return next((m.amount for m in self.booked if m.currency == currency), ZERO)

    @property
    def remaining(self) -> Money:
        """The budget less what was booked in its currency (negative: over)."""
        return Money(
            self.budget.amount - self._booked_in(self.budget.currency), self.budget.currency
        )

    @property
    def used_pct(self) -> Decimal | None:
        if not self.budget.amount:
            return None
        return _pct(self._booked_in(self.budget.currency), self.budget.amount)

    @property
    def cost_per_lead(self) -> Money | None:
        """The booked cost (budget's currency) per lead: the actual, beside
        enablement's planned figure (budget ÷ leads)."""
        booked = self._booked_in(self.budget.currency)
        if not self.leads or not booked:
            return None
        return Money(round_money(booked / self.leads), self.budget.currency)

    @property
    def roi(self) -> list[Roi]:
        revenue = {m.currency: m.amount for m in self.revenue}
        return [Roi(m.currency, m.amount, revenue.get(m.currency, ZERO)) for m in self.booked]


def campaign_cost(campaign: Campaign) -> CampaignCost:
    lines = campaign_cost_lines(campaign.pk)
    figures = campaign_figures(campaign)
    return CampaignCost(
        budget=Money(campaign.budget, campaign.currency),
        lines=lines,
        booked=cost_totals(lines),
        revenue=figures.revenue,
        leads=figures.leads,
    )
