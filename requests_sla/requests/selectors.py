"""Reads of the collaboration engine, shared by the pages and the API.

Visibility always goes through ``requests_visible_to`` (rules in
``permissions``), so an id the caller may not see is a 404 everywhere.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404

from collab.parsing import optional_id
from departments.models import Department, Membership
from requests_sla.catalog import selectors as catalog_selectors
from requests_sla.catalog.models import RequestType
from requests_sla.requests import permissions, selectors
from requests_sla.requests.models import FINAL_STATUSES, OPEN_STATUSES, Attachment, Comment, Request
from requests_sla.sla.models import SlaEvent, SlaTimer

REQUEST_RELATED = (
    "requester",
    "requesting_department",
    "serving_department",
    "request_type",
    "assignee",
)


def current_timers_prefetch() -> Prefetch:
    return Prefetch(
        "timers",
        queryset=SlaTimer.objects.filter(superseded_at__isnull=True).order_by("started_at", "id"),
        to_attr="current_timers",
    )


# ---------------------------------------------------------------- requests


def requests_visible_to(membership: Membership) -> QuerySet[Request]:
    """The requests ``membership`` may see in the organization in scope
    (``permissions.visibility_filter``, the one rule)."""
    return Request.objects.filter(permissions.visibility_filter(membership))


def request_list(membership: Membership) -> QuerySet[Request]:
    """Visible requests with what a list row shows (constant query count)."""
    return (
        requests_visible_to(membership)
        .select_related(*REQUEST_RELATED)
        .prefetch_related(current_timers_prefetch())
    )


def request_get(membership: Membership, pk: Any) -> Request:
    """One visible request with its detail relations; 404 if not visible.
    Its attachments the member may see are ``visible_attachments`` (never
    ``attachments.all``, which would include internal notes' files)."""
    try:
        return (
            request_list(membership)
            .prefetch_related(
                "watchers",
                Prefetch(
                    "attachments",  # of a request already visible: the attachment rule alone
                    queryset=Attachment.objects.filter(
                        permissions.attachment_visibility_filter(membership)
                    ).select_related("uploaded_by"),
                    to_attr="visible_attachments",
                ),
            )
            .get(pk=int(pk))
        )
    except (Request.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


# ---------------------------------------------------------------- attachments


def attachments_visible_to(membership: Membership) -> QuerySet[Attachment]:
    """Attachments ``membership`` may see, on requests it may see (the
    requests' rule and ``permissions.attachment_visibility_filter``)."""
    return Attachment.objects.filter(
        permissions.attachment_visibility_filter(membership),
        request__in=requests_visible_to(membership),
    )


def attachments_of(membership: Membership, request: Request) -> QuerySet[Attachment]:
    """The attachments of one (visible) request that ``membership`` may see."""
    return (
        Attachment.objects.filter(permissions.attachment_visibility_filter(membership))
        .filter(request=request)
        .select_related("uploaded_by")
    )


def attachment_get(membership: Membership, pk: Any) -> Attachment:
    """One attachment the member may see (to download it); 404 otherwise,
    whether it does not exist, is another organization's, is on a request
    the member cannot see or on an internal note they cannot read."""
    attachment_id = optional_id(pk)
    if attachment_id is None:
        raise Http404
    try:
        return (
            attachments_visible_to(membership).select_related("uploaded_by").get(pk=attachment_id)
        )
    except Attachment.DoesNotExist:
        raise Http404 from None


def department_queue(
    membership: Membership, filters: Mapping[str, Any] | None = None
) -> QuerySet[Request]:
    """A department's work, due-first.

    Members and heads get their department's requests (as the serving side);
    ops managers and admins any department's (``department`` filter) or all.
    Sorted by the earliest due time of a running timer (``sla_due_at``, a
    cached column kept with the timers, so the sort uses the queue index),
    nothing-due last, then oldest first. Filters: ``status`` (list; default
    the open statuses), ``request_type``, ``assignee`` (id, "me" or "none"),
    ``sla_state``, ``requesting_department``, ``department``.
    """
    filters = filters or {}
    # Not ``request_list``: a department's queue is visible to its members by
    # definition, and the visibility OR (requester | watcher | department)
    # would stop PostgreSQL from walking the queue index in due order.
    qs = Request.objects.select_related(*REQUEST_RELATED).prefetch_related(
        current_timers_prefetch()
    )
    if not membership.is_active:
        return qs.none()
    department = filters.get("department")
    if permissions.sees_all(membership):
        if department:
            qs = qs.filter(serving_department_id=department)
    elif membership.department_id and membership.can("work_queue"):
        qs = qs.filter(serving_department_id=membership.department_id)
    else:
        return qs.none()
    statuses = filters.get("status") or list(OPEN_STATUSES)
    if isinstance(statuses, str):
        statuses = [statuses]
    qs = qs.filter(status__in=statuses)
    if filters.get("request_type"):
        qs = qs.filter(request_type_id=filters["request_type"])
    assignee = filters.get("assignee")
    if assignee == "me":
        qs = qs.filter(assignee_id=membership.user_id)
    elif assignee == "none":
        qs = qs.filter(assignee__isnull=True)
    elif assignee:
        qs = qs.filter(assignee_id=assignee)
    if filters.get("sla_state"):
        qs = qs.filter(sla_state=filters["sla_state"])
    if filters.get("requesting_department"):
        qs = qs.filter(requesting_department_id=filters["requesting_department"])
    return qs.annotate(next_due_at=F("sla_due_at")).order_by(
        F("sla_due_at").asc(nulls_last=True), "created_at", "id"
    )


def assignable_in(department_ids: Iterable[int]) -> QuerySet[Membership]:
    """Who requests of these departments may be assigned to, by name."""
    return (
        Membership.objects.filter(department_id__in=department_ids, is_active=True)
        .exclude(role="sales_rep")
        .select_related("user")
        .order_by("user__first_name", "user__username")
    )


def assignable_members(department_id: int) -> QuerySet[Membership]:
    """Who a request of this department may be assigned to."""
    return assignable_in([department_id])


# ---------------------------------------------------------------- timeline


@dataclass(frozen=True)
class TimelineEntry:
    at: dt.datetime
    kind: str  # "created" | "status" | "change" | "comment" | "sla"
    actor: Any = None
    data: dict = field(default_factory=dict)


def request_timeline(request: Request, membership: Membership) -> list[TimelineEntry]:
    """Comments, status changes (from the history) and SLA events, oldest
    first. Internal notes only for those who may read them."""
    entries: list[TimelineEntry] = []
    history = list(
        request.history.select_related("history_user").order_by("history_date", "history_id")
    )
    previous = None
    departments: dict[int, Department] = {}
    dept_ids = {h.serving_department_id for h in history}
    departments = {d.pk: d for d in Department.objects.filter(pk__in=dept_ids)}
    for record in history:
        data: dict[str, Any] = {"action": record.history_change_reason or ""}
        if previous is None:
            entries.append(
                TimelineEntry(
                    record.history_date,
                    "created",
                    record.history_user,
                    {**data, "status": record.status},
                )
            )
        else:
            changes = {}
            if record.status != previous.status:
                changes["status"] = (previous.status, record.status)
            if record.serving_department_id != previous.serving_department_id:
                changes["serving_department"] = (
                    departments.get(previous.serving_department_id),
                    departments.get(record.serving_department_id),
                )
            if record.assignee_id != previous.assignee_id:
                changes["assignee_id"] = (previous.assignee_id, record.assignee_id)
            if record.priority != previous.priority:
                changes["priority"] = (previous.priority, record.priority)
            if changes:
                kind = "status" if "status" in changes else "change"
                entries.append(
                    TimelineEntry(
                        record.history_date,
                        kind,
                        record.history_user,
                        {**data, "changes": changes, "reason": record.status_reason},
                    )
                )
        previous = record
    comments = (
        Comment.objects.filter(request=request)
        .select_related("author")
        .prefetch_related("attachments", "mentions")
    )
    if not permissions.sees_internal_notes(membership, request):
        comments = comments.filter(is_internal=False)
    for comment in comments:
        entries.append(
            TimelineEntry(comment.created_at, "comment", comment.author, {"comment": comment})
        )
    events = SlaEvent.objects.filter(timer__request=request).select_related("timer", "actor")
    for event in events:
        entries.append(
            TimelineEntry(
                event.at,
                "sla",
                event.actor,
                {
                    "event": event.kind,
                    "timer": event.timer.key,
                    "timer_name": event.timer.name,
                    "reason": event.reason,
                },
            )
        )
    order = {"created": 0, "comment": 1, "status": 2, "change": 2, "sla": 3}
    entries.sort(key=lambda e: (e.at, order[e.kind]))
    return entries


# ---------------------------------------------------------------- catalog & SLA


def my_requests(membership: Membership, *, role: str = "", status: str = "") -> QuerySet[Request]:
    """Requests the member filed or watches (not their department's queue)."""
    watching = Request.watchers.through.objects.filter(
        request_id=OuterRef("pk"), user_id=membership.user_id
    )
    filed = Q(requester_id=membership.user_id)
    condition = {"filed": filed, "watching": Q(Exists(watching))}.get(
        role, filed | Q(Exists(watching))
    )
    qs = selectors.request_list(membership).filter(condition)
    if status == "active":
        qs = qs.exclude(status__in=FINAL_STATUSES)
    elif status == "finished":
        qs = qs.filter(status__in=FINAL_STATUSES)
    return qs.order_by("-created_at", "-id")


def members_by_id(user_ids: Iterable[int]) -> dict[int, Membership]:
    ids = {i for i in user_ids if i}
    if not ids:
        return {}
    return {m.user_id: m for m in Membership.objects.filter(user_id__in=ids).select_related("user")}


def assignable_by_department(department_ids: Iterable[int]) -> dict[int, list[Membership]]:
    """Who each department's requests may be assigned to, in one query."""
    ids = {i for i in department_ids if i}
    grouped: dict[int, list[Membership]] = {i: [] for i in ids}
    if not ids:
        return grouped
    for m in selectors.assignable_in(ids):
        grouped[m.department_id].append(m)
    return grouped


# What a queue row shows and what its permission checks read (see
# ``presentation.QueueRows`` and ``permissions.available_actions``). The rest
# stays in the database: the request's description and form answers, the
# request type's JSON (form schema, SLA targets), the requester. Reading a
# field left out here would cost a query per row, which the queue's locked
# query count catches.
QUEUE_ROW_FIELDS = (
    "number",
    "title",
    "priority",
    "status",
    "created_at",
    "resolved_at",
    "closed_at",
    "sla_due_at",
    "sla_state",
    "requester_id",
    "serving_department_id",
    "requesting_department__name_zh",
    "requesting_department__name_en",
    "request_type__name_zh",
    "request_type__name_en",
    "assignee__username",
    "assignee__first_name",
    "assignee__last_name",
)


# What a row's SLA badge reads of a timer (``templatetags.sla.timer_badge``).
QUEUE_TIMER_FIELDS = (
    "request_id",
    "kind",
    "unit",
    "started_at",
    "superseded_at",
    "stopped_at",
    "paused",
    "due_at",
    "at_risk_at",
    "state",
    "met",
    "remaining_minutes",
    "provisional",
)


def queue_page(membership: Membership, filters: dict) -> QuerySet[Request]:
    """``selectors.department_queue`` (same rows, same order) reading only
    what the queue page shows: a 50-row page builds some 400 model objects,
    and most of their cost was columns no one looks at."""
    timers = Prefetch(
        "timers",
        queryset=SlaTimer.objects.filter(superseded_at__isnull=True)
        .order_by("started_at", "id")
        .only(*QUEUE_TIMER_FIELDS),
        to_attr="current_timers",
    )
    return (
        selectors.department_queue(membership, filters)
        .select_related(None)
        .select_related("requesting_department", "request_type", "assignee")
        .prefetch_related(None)
        .prefetch_related(timers)
        .only(*QUEUE_ROW_FIELDS)
    )


def queue_filter_options() -> tuple[list[Department], list[RequestType]]:
    """Departments and request types for the queue's filter menus: names
    and ids only (not the duties texts, form schemas or SLA targets)."""
    departments = Department.objects.order_by("sort_order", "code").only("name_zh", "name_en")
    types = (
        catalog_selectors.request_types_all()
        .select_related(None)
        .only("name_zh", "name_en", "serving_department_id")
    )
    return list(departments), list(types)


def watcher_candidates() -> list[Membership]:
    """Active members of the organization, by department then name (the
    request page's "add a watcher" choices), in one query."""
    return list(
        Membership.objects.filter(is_active=True)
        .select_related("user", "department")
        .order_by(
            "department__sort_order", "department__code", "user__first_name", "user__username"
        )
    )
