"""What every incentives page shares: the guards and the error messages."""

from __future__ import annotations

import functools

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from collab.decorators import membership_required
from incentives import permissions
from incentives.sprints.selectors import sprints_visible_to


def incentives_page(check):
    """``membership_required`` plus one of incentives.permissions' rules."""

    def decorator(view):
        def guarded(request, *args, **kwargs):
            if not check(request.membership):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return membership_required()(functools.wraps(view)(guarded))

    return decorator


viewer = incentives_page(permissions.can_view)
manager = incentives_page(permissions.can_manage)


def form_errors(request, form) -> None:
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)


def visible_sprint(request, pk):
    """The sprint, if the member may see it; a 404 otherwise (foreign or not theirs).
    With its plan (the sprint page names it and reads its basis)."""
    return get_object_or_404(
        sprints_visible_to(request.membership).distinct().select_related("plan"), pk=pk
    )
