"""Sign-in throttling on top of django-axes, and the client address it keys on.

Axes locks a username+IP pair after ``AXES_FAILURE_LIMIT`` failures. Two
things it cannot express with its own settings are added here:

* **A per-IP limit across usernames** (``COLLAB_SIGNIN_IP_FAILURE_LIMIT``),
  higher than the pair limit so an office behind one address is not locked
  by a few typos. Axes applies one ``AXES_FAILURE_LIMIT`` to every group in
  ``AXES_LOCKOUT_PARAMETERS``, and on a success (``AXES_RESET_ON_SUCCESS``)
  deletes the attempts of *every* group, so an attacker with one valid
  account could wipe the IP's count by signing in between sprays. Here a
  success still clears only its own username+IP attempts.
* **The client address behind proxies**, read with django-ipware. Axes's
  ``AXES_IPWARE_*`` settings pass one ``proxy_count`` to every header it
  reads, REMOTE_ADDR included (so REMOTE_ADDR is dropped with two proxies),
  and ipware's ranking prefers a public REMOTE_ADDR to a private client
  address; both would put many people behind one key. ``client_ip`` asks
  ipware for exactly one position in X-Forwarded-For.
"""

from __future__ import annotations

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Q, Sum
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from ipware import get_client_ip


def client_ip(request) -> str | None:
    """The client's address given ``COLLAB_TRUSTED_PROXY_COUNT`` proxies.

    Each trusted proxy appends the address it received the request from to
    X-Forwarded-For, so the client is the N-th entry from the right; what
    the client itself put further left is ignored. With no trusted proxy,
    or a header too short to have passed through them all, the socket's
    address (REMOTE_ADDR) is the only one that cannot be forged.
    """
    count = settings.COLLAB_TRUSTED_PROXY_COUNT
    if count > 0:
        ip, _routable = get_client_ip(
            request,
            proxy_order="left-most",
            # ipware counts the proxies listed in the header; the last proxy
            # is REMOTE_ADDR, not in it.
            proxy_count=count - 1,
            request_header_order=["HTTP_X_FORWARDED_FOR"],
            # Not strict: a longer chain (the client's own forged entries on
            # the left) still yields the entry at the trusted position.
            strict=False,
        )
        if ip:
            return ip
    return request.META.get("REMOTE_ADDR")


class SignInLockoutHandler(AxesDatabaseHandler):
    """Axes's database handler with a second, per-IP limit."""

    def get_failures(self, request, credentials: dict | None = None) -> int:
        """Failures of this username+IP, or at least the pair limit when the
        IP as a whole is over its own limit (axes compares this one number
        with ``AXES_FAILURE_LIMIT`` both before and after an attempt)."""
        recent = AccessAttempt.objects.filter(ip_address=request.axes_ip_address)
        if settings.AXES_COOLOFF_TIME is not None:
            recent = recent.filter(attempt_time__gte=get_cool_off_threshold(request))
        username = get_client_username(request, credentials)
        totals = recent.aggregate(
            per_ip=Sum("failures_since_start"),
            pair=Sum("failures_since_start", filter=_username_is(username)),
        )
        pair = totals["pair"] or 0
        if (totals["per_ip"] or 0) >= settings.COLLAB_SIGNIN_IP_FAILURE_LIMIT:
            return max(pair, get_failure_limit(request, credentials))
        return pair


def _username_is(username) -> Q:
    return Q(username__isnull=True) if username is None else Q(username=username)


def lockout_response(request, credentials: dict | None = None) -> HttpResponse:
    """The answer while locked: the page for people, JSON for API clients;
    both say when to try again (Retry-After)."""
    status = settings.AXES_HTTP_RESPONSE_CODE
    if request.path.startswith("/api/"):
        response = JsonResponse(
            {"detail": _("登录失败次数过多，已锁定一小时，请稍后再试。")}, status=status
        )
    else:
        response = render(request, settings.AXES_LOCKOUT_TEMPLATE, status=status)
    cool_off = get_cool_off(request)
    if cool_off:
        response["Retry-After"] = str(int(cool_off.total_seconds()))
    return response
