"""The request page's approval panel (page composition: requests/ cannot
import approvals/, which sits above it)."""

from django import template

from requests_sla.approvals import selectors
from requests_sla.approvals.forms import resubmit_form
from requests_sla.approvals.models import FlowState

register = template.Library()


@register.inclusion_tag("requests_sla/approvals/_panel.html", takes_context=True)
def approval_panel(context, obj):
    """The chain and its state, with the approver's buttons on their step."""
    request = context.get("request")
    membership = getattr(request, "membership", None)
    user_id = membership.user_id if membership else None
    flow = selectors.flow_of(obj)
    is_requester = user_id is not None and user_id == obj.requester_id
    edit = None
    if flow is not None and flow.state == FlowState.SENT_BACK and is_requester:
        edit = resubmit_form(obj)
    return {
        "flow": flow,
        "resubmit_form": edit,
        "user_id": user_id,
        "is_requester": is_requester,
        "csrf_token": context.get("csrf_token"),
    }
