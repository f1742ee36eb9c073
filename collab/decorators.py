"""View guards. The tenant scope is already set by the middleware; these
only check that the signed-in user acts through a membership with the
capability the page needs."""

import functools

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import render


def membership_required(capability: str | None = None):
    def decorator(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            membership = getattr(request, "membership", None)
            if membership is None:
                return render(request, "no_organization.html", status=403)
            if capability and not membership.can(capability):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
