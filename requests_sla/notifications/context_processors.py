"""The header's unread-notification badge: one indexed COUNT per page.

Counted once per request: the page panels of higher apps render their own
templates with the request (``render_to_string(..., request=request)``), which
runs the context processors again."""

from collab.tenancy import current_organization_id
from requests_sla.notifications.selectors import unread_count


def notifications(request):
    user = getattr(request, "user", None)
    organization_id = current_organization_id()
    if user is None or not user.is_authenticated or organization_id is None:
        return {}
    count = getattr(request, "_collab_unread_count", None)
    if count is None:
        count = unread_count(organization_id=organization_id, user_id=user.pk)
        request._collab_unread_count = count
    return {"unread_notifications": count}
