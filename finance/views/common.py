"""What every Finance page shares: the guards and the error messages."""

from __future__ import annotations

import functools

from django.contrib import messages
from django.core.exceptions import PermissionDenied

from collab.decorators import membership_required
from finance import permissions


def finance_page(check):
    """``membership_required`` plus one of finance.permissions' rules."""

    def decorator(view):
        @membership_required()
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if not check(request.membership):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def form_errors(request, form) -> None:
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)


finance_only = finance_page(permissions.is_finance)
