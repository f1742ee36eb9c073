"""Reads of campaigns: the list, one campaign with its timeline, assets,
responses, leads, deals and won revenue, and the campaigns report (cost per
lead, pipeline and revenue won per campaign). Every member reads campaigns;
the named leads and deals are listed to Marketing and to those who see every
customer, a rep sees the ones on their own accounts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404
from django.utils.translation import gettext as _

from collab.money import Money, round_money
from collab.parsing import DATE_MAX
from enablement import permissions
from enablement.campaigns.models import AssetRole, Campaign, CampaignResponse, ResponseKind
from pipeline import permissions as pipeline_permissions
from pipeline.models import Lead

WON = Q(lead__opportunity__stage__is_won=True)
OPEN = Q(lead__opportunity__stage__is_won=False, lead__opportunity__stage__is_lost=False)


def campaigns_visible_to(membership) -> QuerySet[Campaign]:
    return Campaign.objects.select_related("owner_department")


def campaign_get(membership, pk: int) -> Campaign:
    """One campaign of the member's organization (another's id is a 404)."""
    campaign = campaigns_visible_to(membership).filter(pk=pk).first()
    if campaign is None:
        raise Http404
    return campaign


def sees_every_lead(membership) -> bool:
    return permissions.can_manage_campaigns(membership) or pipeline_permissions.sees_all_customers(
        membership
    )


def responses_of(campaign: Campaign) -> QuerySet[CampaignResponse]:
    return campaign.responses.select_related("account", "lead")


def leads_of(membership, campaign: Campaign) -> list[Lead]:
    qs = Lead.objects.filter(
        pk__in=campaign.responses.filter(lead__isnull=False).values("lead_id")
    ).select_related("account", "opportunity", "opportunity__stage")
    if not sees_every_lead(membership):
        qs = qs.filter(account__owner_id=membership.user_id)
    return list(qs.order_by("-created_at", "-id"))


@dataclass
class Figures:
    responses: dict[str, int] = field(default_factory=dict)
    leads: int = 0
    deals: int = 0
    won: int = 0
    pipeline: list[Money] = field(default_factory=list)
    revenue: list[Money] = field(default_factory=list)
    cost_per_lead: Decimal | None = None


def _deal_figures(responses: QuerySet[CampaignResponse]) -> dict[int, Figures]:
    """Deals from the campaigns' leads, by campaign and currency (one query)."""
    out: dict[int, Figures] = {}
    for r in (
        responses.filter(lead__opportunity__isnull=False)
        .values("campaign_id", "lead__opportunity__currency")
        .annotate(
            deals=Count("lead__opportunity_id"),
            won=Count("lead__opportunity_id", filter=WON),
            won_amount=Sum("lead__opportunity__amount", filter=WON),
            open_amount=Sum("lead__opportunity__amount", filter=OPEN),
        )
        .order_by("campaign_id", "lead__opportunity__currency")
    ):
        f = out.setdefault(r["campaign_id"], Figures())
        currency = r["lead__opportunity__currency"]
        f.deals += r["deals"]
        f.won += r["won"]
        if r["won_amount"]:
            f.revenue.append(Money(r["won_amount"], currency))
        if r["open_amount"]:
            f.pipeline.append(Money(r["open_amount"], currency))
    return out


def _cost_per_lead(campaign: Campaign, leads: int) -> Decimal | None:
    return round_money(campaign.budget / leads) if leads else None


def campaign_figures(campaign: Campaign) -> Figures:
    responses = CampaignResponse.objects.filter(campaign=campaign)
    figures = _deal_figures(responses).get(campaign.pk, Figures())
    counts = responses.values("kind").annotate(n=Count("id"), leads=Count("lead_id"))
    figures.responses = {kind: 0 for kind in ResponseKind.values}
    for row in counts:
        figures.responses[row["kind"]] = row["n"]
        figures.leads += row["leads"]
    figures.cost_per_lead = _cost_per_lead(campaign, figures.leads)
    return figures


def assets_of(campaign: Campaign) -> dict[str, list]:
    links = campaign.asset_links.select_related("asset")
    return {role: [link.asset for link in links if link.role == role] for role in AssetRole.values}


@dataclass
class Event:
    on: dt.date
    text: str
    url: str = ""


def timeline(campaign: Campaign, leads: list[Lead]) -> list[Event]:
    """Planned, started, ended, each lead and each deal's last stage change."""
    events = [
        Event(campaign.created_at.date(), _("活动立项")),
        Event(campaign.starts_on, _("活动开始")),
        Event(campaign.ends_on, _("活动结束")),
    ]
    for lead in leads:
        events.append(Event(lead.created_at.date(), _("线索：%(a)s") % {"a": lead.account.name}))
        deal = lead.opportunity
        if deal is not None:
            events.append(
                Event(
                    deal.stage_entered_at.date(),
                    _("商机 %(d)s：%(s)s") % {"d": deal.name, "s": deal.stage.name},
                    deal.get_absolute_url(),
                )
            )
    return sorted(events, key=lambda e: (min(e.on, DATE_MAX), e.text))


@dataclass
class ReportRow:
    campaign: Campaign
    responses: int
    figures: Figures


def campaigns_report(start: dt.date | None = None, end: dt.date | None = None) -> list[ReportRow]:
    """Every campaign (starting in the period, when given): responses, leads,
    cost per lead, deals, open pipeline and won revenue. Two queries."""
    campaigns = Campaign.objects.select_related("owner_department").annotate(
        n_responses=Count("responses"), n_leads=Count("responses__lead")
    )
    if start is not None:
        campaigns = campaigns.filter(starts_on__gte=start)
    if end is not None:
        campaigns = campaigns.filter(starts_on__lte=end)
    rows = list(campaigns.order_by("-starts_on", "-id"))
    deals = _deal_figures(CampaignResponse.objects.filter(campaign__in=[c.pk for c in rows]))
    out = []
    for campaign in rows:
        figures = deals.get(campaign.pk, Figures())
        figures.leads = campaign.n_leads
        figures.cost_per_lead = _cost_per_lead(campaign, figures.leads)
        out.append(ReportRow(campaign, campaign.n_responses, figures))
    return out
