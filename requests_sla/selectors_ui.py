"""Reads only the HTML pages need (the shared reads live in ``selectors``)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from departments.models import Department, Membership
from requests_sla import selectors
from requests_sla.catalog import selectors as catalog_selectors
from requests_sla.catalog.models import RequestType
from requests_sla.requests.models import FINAL_STATUSES, Request
from requests_sla.sla.models import SlaTimer


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
# ``queue_rows.QueueRows`` and ``permissions.available_actions``). The rest
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
