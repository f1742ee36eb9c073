"""View guards. The tenant scope is already set by the middleware; these
only check that the signed-in user acts through a membership with the
capability the page needs."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import render

if TYPE_CHECKING:  # collab sits below departments: a type, not an import
    from departments.models import Membership

View = TypeVar("View", bound=Callable[..., HttpResponseBase])


class MemberRequest(HttpRequest):
    """What a view behind ``membership_required`` is given (for the checker)."""

    membership: Membership


def membership_required(capability: str | None = None) -> Callable[[View], View]:
    def decorator(view: View) -> View:
        @functools.wraps(view)
        def wrapper(request: Any, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            membership = getattr(request, "membership", None)
            if membership is None:
                return render(request, "no_organization.html", status=403)
            if capability and not membership.can(capability):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorator
