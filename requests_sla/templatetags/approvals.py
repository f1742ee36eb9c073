"""The request page's approval panel (page composition: requests/ cannot
import approvals/, which sits above it)."""

from django import template

from requests_sla.approvals import selectors

register = template.Library()


@register.inclusion_tag("requests_sla/approvals/_panel.html", takes_context=True)
def approval_panel(context, obj):
    """The chain and its state, with the approver's buttons on their step."""
    request = context.get("request")
    membership = getattr(request, "membership", None)
    user_id = membership.user_id if membership else None
    return {
        "flow": selectors.flow_of(obj),
        "user_id": user_id,
        "is_requester": user_id is not None and user_id == obj.requester_id,
        "csrf_token": context.get("csrf_token"),
    }
