from django import template

from requests_sla.meetings.selectors import overdue_action_items_for

register = template.Library()


@register.simple_tag(takes_context=True)
def my_overdue_action_items(context):
    """The signed-in user's overdue action items (needs the tenant scope the
    web middleware sets)."""
    request = context.get("request")
    if (
        request is None
        or not request.user.is_authenticated
        or getattr(request, "membership", None) is None
    ):
        return []
    return list(overdue_action_items_for(request.user))
