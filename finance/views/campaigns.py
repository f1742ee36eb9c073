"""A campaign's cost on enablement's campaign page (registered with
``enablement.panels``) and in the API (``/api/finance/campaigns/<id>/cost/``):
the approved expenses booked against it, its budget, and its ROI."""

from __future__ import annotations

from django.template.loader import render_to_string

from finance import permissions
from finance.expenses.campaign_cost import campaign_cost


def campaign_panel(request, campaign) -> str:
    """The campaign page's 费用与回报 card (three queries)."""
    membership = getattr(request, "membership", None)
    if membership is None or not membership.is_active:
        return ""
    return render_to_string(
        "finance/_campaign_cost.html",
        {
            "campaign": campaign,
            "cost": campaign_cost(campaign),
            "show_lines": permissions.sees_campaign_expenses(membership),
        },
        request=request,
    )
