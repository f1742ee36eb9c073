"""What the request pages share: the safe redirect back, an id from the query string."""

from __future__ import annotations

from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme

from collab import parsing
from departments.models import Membership
from requests_sla.requests import permissions


def safe_next(request, fallback: str) -> str:
    """The posted ``next`` when it points at this site, else ``fallback``."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return target
    return fallback


def redirect_back(request, fallback: str):
    return redirect(safe_next(request, fallback))


def int_param(value) -> int | None:
    """An id from a query string or form (ASCII digits only), else None."""
    return parsing.optional_id(value)


def works_queue(membership: Membership) -> bool:
    return membership.can("work_queue") or permissions.sees_all(membership)
