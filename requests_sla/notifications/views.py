"""The notification centre page."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from collab.decorators import membership_required
from requests_sla.notifications import selectors, services


@membership_required()
def notifications(request):
    membership = request.membership
    if request.method == "POST":
        services.notifications_mark_all_read(actor=membership)
        messages.success(request, _("已全部标为已读。"))
        return redirect("escalation:notifications")
    items = list(selectors.notifications_for(membership).order_by("-created_at")[:100])
    return render(request, "requests_sla/notifications/index.html", {"items": items})
