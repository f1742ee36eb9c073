"""The request page's panel (page composition: requests_sla cannot import
enablement, which sits above it; it includes the template registered through
``requests_sla.requests.hooks.detail_panel_register``)."""

from django import template

from enablement.usage import selectors, services
from requests_sla.requests import permissions as request_permissions

register = template.Library()


@register.inclusion_tag("enablement/_fulfilment_panel.html", takes_context=True)
def fulfilment_panel(context, obj):
    """The assets that fulfilled ``obj``; for whoever may resolve an open
    content request, the way to fulfil it. Nothing (no query) for other requests."""
    if not services.is_content_request(obj):
        return {"shown": False}
    membership = getattr(context.get("request"), "membership", None)
    can_fulfil = (
        membership is not None
        and obj.is_open
        and request_permissions.can(membership, "resolve", obj)
    )
    return {
        "shown": True,
        "obj": obj,
        "links": list(selectors.fulfilments_of_request(obj)),
        "can_fulfil": can_fulfil,
    }


@register.inclusion_tag("enablement/_opportunity_assets.html")
def opportunity_assets(opportunity):
    """The deal page's library panel: what was used on it, what would fit."""
    return {
        "uses": list(selectors.uses_on_opportunity(opportunity)),
        "suggested": selectors.suggestions_for(opportunity),
    }
