"""Who sees and who may do what with a collaboration request.

The ONE place these rules live: the visibility filter is used by
``selectors.requests_visible_to`` (so pages and the API list the same rows)
and ``can()`` by the services (which refuse) and the pages/API (which hide
buttons). Pure functions of (membership, request): no queries, except that
``watching`` needs the request's watcher ids, passed in when known.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from departments.models import Membership
from departments.roles import Role
from requests_sla.requests import hooks
from requests_sla.requests.models import TRANSITIONS, Attachment, Request, Status

# Actions the services check; the names are also the API action names.
SERVING_WORK = frozenset({"acknowledge", "start", "pause", "resolve", "complete_milestone"})
QUEUE_MANAGEMENT = frozenset({"assign", "transfer", "reject"})


def reopen_window() -> dt.timedelta:
    return dt.timedelta(days=getattr(settings, "COLLAB_REOPEN_DAYS", 14))


def sees_all(membership: Membership) -> bool:
    return membership.can("view_all_requests")


def visibility_filter(membership: Membership) -> Q:
    """THE visibility rule, as a condition on ``Request`` (``can_view`` is the
    same rule for one request; pages, the API, the queue's bulk assign and the
    pipeline's linked-request lists all read through ``selectors.request_list``,
    which filters on this). An inactive membership sees nothing; ops managers
    and admins see the organization's requests; department members and heads
    their department's (as the serving side); everyone what they filed or
    watch. Watching is an EXISTS on the watchers table, not a join: a request
    with several watchers is one row, never one per watcher."""
    if not membership.is_active:
        return Q(pk__in=[])
    if sees_all(membership):
        return Q()
    watching = Request.watchers.through.objects.filter(
        request_id=OuterRef("pk"), user_id=membership.user_id
    )
    mine = Q(requester_id=membership.user_id) | Q(Exists(watching))
    if membership.department_id and membership.can("work_queue"):
        mine |= Q(serving_department_id=membership.department_id)
        if types := _co_served_types(membership):
            mine |= Q(request_type__code__in=types)
    return mine


def _co_served_types(membership: Membership) -> frozenset[str]:
    """The request types the member's department serves besides its own
    (``hooks.co_serving_register``)."""
    if not membership.department_id:
        return frozenset()
    return hooks.co_served_types(membership.department.code)


def serves(membership: Membership, request: Request) -> bool:
    """A member or head of the request's serving department, or of a
    department that also serves the request's type (``hooks.co_serving``)."""
    if not (membership.is_active and membership.can("work_queue")):
        return False
    if membership.department_id == request.serving_department_id:
        return True
    types = _co_served_types(membership)
    return bool(types) and request.request_type.code in types


def manages(membership: Membership, request: Request) -> bool:
    """The serving department's head (manage_queue), or an organization admin."""
    return membership.is_active and (
        (
            membership.can("manage_queue")
            and membership.department_id == request.serving_department_id
        )
        or membership.role == Role.ORG_ADMIN
    )


def is_requester(membership: Membership, request: Request) -> bool:
    return membership.is_active and membership.user_id == request.requester_id


def can_view(
    membership: Membership, request: Request, watcher_ids: Iterable[int] | None = None
) -> bool:
    if not membership.is_active:
        return False
    if sees_all(membership) or is_requester(membership, request) or serves(membership, request):
        return True
    if watcher_ids is None:
        watcher_ids = request.watchers.values_list("id", flat=True)
    return membership.user_id in set(watcher_ids)


def sees_internal_notes(membership: Membership, request: Request) -> bool:
    return membership.is_active and (sees_all(membership) or serves(membership, request))


def attachment_visibility_filter(membership: Membership) -> Q:
    """THE attachment rule, as a condition on ``Attachment`` (on top of the
    request's own visibility, which the caller applies): an attachment of an
    internal note is seen only by those who see internal notes
    (``sees_internal_notes``: ops managers, admins and the serving
    department); any other attachment by whoever sees the request.
    ``can_see_attachment`` is the same rule for one attachment. The request
    page, the API (detail and ``attachments``) and the download view all read
    through ``selectors.attachments_visible``/``attachment_get``."""
    if not membership.is_active:
        return Q(pk__in=[])
    if sees_all(membership):
        return Q()
    rule = Q(comment__isnull=True) | Q(comment__is_internal=False)
    if membership.department_id and membership.can("work_queue"):
        rule |= Q(request__serving_department_id=membership.department_id)
        if types := _co_served_types(membership):
            rule |= Q(request__request_type__code__in=types)
    return rule


def can_see_attachment(membership: Membership, attachment: Attachment, request: Request) -> bool:
    """``attachment_visibility_filter`` for one attachment of ``request`` (a
    request the caller already may see)."""
    if not membership.is_active or attachment.request_id != request.pk:
        return False
    if attachment.comment_id is None or not attachment.comment.is_internal:
        return True
    return sees_internal_notes(membership, request)


def can(
    membership: Membership, action: str, request: Request, *, now: dt.datetime | None = None
) -> bool:
    """May ``membership`` perform ``action`` on ``request``? (Not whether the
    request's status allows it: that is the services' state machine.)"""
    if not membership.is_active:
        return False
    if action in SERVING_WORK:
        return serves(membership, request)
    if action in QUEUE_MANAGEMENT:
        return manages(membership, request)
    if action == "resume":
        return serves(membership, request) or is_requester(membership, request)
    if action == "close":
        return is_requester(membership, request) or serves(membership, request)
    if action == "cancel":
        return is_requester(membership, request)
    if action == "reopen":
        if manages(membership, request):
            return True
        if not is_requester(membership, request):
            return False
        finished = request.closed_at or request.resolved_at
        return finished is None or (now or timezone.now()) - finished <= reopen_window()
    if action == "comment_internal":
        return sees_internal_notes(membership, request)
    if action in ("comment", "attach", "watch"):
        return True  # anyone who can see the request
    raise ValueError(f"unknown action {action!r}")


def require(
    membership: Membership, action: str, request: Request, *, now: dt.datetime | None = None
) -> None:
    if not can(membership, action, request, now=now):
        raise PermissionDenied(_("你无权执行此操作。"))


def available_actions(membership: Membership, request: Request) -> list[str]:
    """Actions to offer in the UI/API for the request's current status."""
    offered = []
    for action, allowed_from in TRANSITIONS.items():
        if request.status in allowed_from and can(membership, action, request):
            offered.append(action)
    if request.status not in (Status.CANCELLED, Status.REJECTED):
        offered += [
            a for a in ("assign", "transfer") if can(membership, a, request) and request.is_open
        ]
    return offered
