"""The pricing pages' decorator (a rule of pricing.permissions on top of
``membership_required``)."""

from __future__ import annotations

import functools

from django.core.exceptions import PermissionDenied

from collab.decorators import membership_required


def pricing_required(rule):
    def decorator(view):
        @membership_required()
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if not rule(request.membership):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
