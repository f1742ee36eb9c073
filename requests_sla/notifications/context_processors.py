"""The header's unread-notification badge: one indexed COUNT per page."""

from collab.tenancy import current_organization_id
from requests_sla.notifications.selectors import unread_count


def notifications(request):
    user = getattr(request, "user", None)
    organization_id = current_organization_id()
    if user is None or not user.is_authenticated or organization_id is None:
        return {}
    return {"unread_notifications": unread_count(organization_id=organization_id, user_id=user.pk)}
