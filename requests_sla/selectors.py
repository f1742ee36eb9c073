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

from departments.models import Department, Membership
from requests_sla import permissions
from requests_sla.requests.models import OPEN_STATUSES, Attachment, Comment, Request
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
    """The requests ``membership`` may see in the organization in scope."""
    qs = Request.objects.all()
    if permissions.sees_all(membership):
        return qs
    watching = Request.watchers.through.objects.filter(
        request_id=OuterRef("pk"), user_id=membership.user_id
    )
    condition = Q(requester_id=membership.user_id) | Q(Exists(watching))
    if membership.department_id and membership.can("work_queue"):
        condition |= Q(serving_department_id=membership.department_id)
    return qs.filter(condition) if membership.is_active else qs.none()


def request_list(membership: Membership) -> QuerySet[Request]:
    """Visible requests with what a list row shows (constant query count)."""
    return (
        requests_visible_to(membership)
        .select_related(*REQUEST_RELATED)
        .prefetch_related(current_timers_prefetch())
    )


def request_get(membership: Membership, pk: Any) -> Request:
    """One visible request with its detail relations; 404 if not visible."""
    try:
        return (
            request_list(membership)
            .prefetch_related(
                "watchers",
                Prefetch("attachments", queryset=Attachment.objects.select_related("uploaded_by")),
            )
            .get(pk=int(pk))
        )
    except (Request.DoesNotExist, ValueError, TypeError):
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


