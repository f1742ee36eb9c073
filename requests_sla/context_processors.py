"""The header's unread-notification badge: one indexed COUNT per page."""

from collab.tenancy import current_organization_id

from .models import Notification


def notifications(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or current_organization_id() is None:
        return {}
    return {
        "unread_notifications": Notification.objects.filter(
            recipient_id=user.pk, read_at__isnull=True
        ).count()
    }
