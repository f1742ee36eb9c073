"""The account page's panels that belong to the sub-domains above accounts
(deals, follow-ups, leads, after-sales service records): the page composes
them here instead of the accounts package importing upward. One query each,
as the prefetches they replace."""

from django import template

from pipeline.followups.models import FollowUp
from pipeline.leads.models import Lead
from pipeline.links import selectors as link_selectors
from pipeline.opportunities.models import Opportunity

register = template.Library()


@register.simple_tag
def account_opportunities(account) -> list[Opportunity]:
    """``{% account_opportunities account as deals %}``"""
    return list(Opportunity.objects.filter(account=account).select_related("stage", "owner"))


@register.simple_tag
def account_follow_ups(account) -> list[FollowUp]:
    return list(FollowUp.objects.filter(account=account).select_related("by"))


@register.simple_tag
def account_leads(account) -> list[Lead]:
    return list(Lead.objects.filter(account=account).select_related("created_by", "opportunity"))


@register.simple_tag(takes_context=True)
def account_service_records(context, account, follow_ups):
    """Customer Success's requests for the account with their SLA outcomes
    and the follow-ups recorded for each (``links.selectors``)."""
    return link_selectors.account_service_records(
        context["request"].membership, account, follow_ups
    )
