"""Template tags for the pipeline templates that requests_sla includes by
setting (the "customer / deal" field and a request's link)."""

from django import template

from pipeline.links import selectors as selectors_links
from requests_sla.catalog.links import links_of, parse_link

register = template.Library()


def _membership(context):
    return getattr(context.get("request"), "membership", None)


@register.simple_tag(takes_context=True)
def link_choice(context, value):
    """``{% link_choice "opportunity:34" as choice %}``: the chosen account or
    deal if the current member may see it, else None."""
    parsed = parse_link(value or "")
    membership = _membership(context)
    if parsed is None or membership is None:
        return None
    return selectors_links.link_target(membership, *parsed)


@register.simple_tag(takes_context=True)
def request_links(context, request_obj):
    """``{% request_links obj as links %}``: the request's account and deal."""
    membership = _membership(context)
    if membership is None or not links_of(request_obj):
        return None
    return selectors_links.request_links(membership, request_obj)


@register.simple_tag(takes_context=True)
def opportunity_requests(context, opportunity):
    """``{% opportunity_requests opportunity as rows %}``: the requests filed
    for a deal with their SLA outcomes (the deal page's panel; links sits
    above opportunities, so the page composes it here)."""
    return selectors_links.opportunity_requests(_membership(context), opportunity)
