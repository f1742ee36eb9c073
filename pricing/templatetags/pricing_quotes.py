"""The deal page's quotes panel (registered with pipeline's deal panels)."""

from django import template

from pricing import permissions
from pricing.quotes.selectors import quotes_of_opportunity

register = template.Library()


@register.simple_tag(takes_context=True)
def opportunity_quotes(context, opportunity):
    """The deal's quotes, newest first (one query), and whether the member may quote on it."""
    membership = context["request"].membership
    return {
        "rows": list(quotes_of_opportunity(opportunity.pk)),
        "can_quote": permissions.can_quote_on(membership, opportunity),
    }
