"""A department's queue, due first, with in-place actions (htmx) and bulk assign."""

from __future__ import annotations

import re

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from collab.decorators import membership_required
from collab.errors import ServiceError
from departments.models import Membership
from requests_sla.requests import permissions, selectors, services
from requests_sla.requests import selectors as requests_selectors
from requests_sla.requests.models import Status
from requests_sla.requests.presentation import QueueRows
from requests_sla.requests.views.common import int_param, safe_next, works_queue
from requests_sla.sla.models import SlaState

QUEUE_ASSIGNEE = ("me", "none", "any")


def queue_filters(membership: Membership, params: QueryDict) -> dict:
    """The queue's GET parameters, cleaned (bad values are ignored, never a 500)."""
    statuses = [s for s in params.getlist("status") if s in Status.values]
    default_assignee = "me" if membership.role == "dept_member" else "any"
    assignee = params.get("assignee", default_assignee) or "any"
    if assignee not in QUEUE_ASSIGNEE and int_param(assignee) is None:
        assignee = default_assignee
    return {
        "status": statuses,
        "request_type": int_param(params.get("request_type")),
        "assignee": assignee,
        "sla_state": params.get("sla_state") if params.get("sla_state") in SlaState.values else "",
        "requesting_department": int_param(params.get("requesting_department")),
        "department": int_param(params.get("department"))
        if permissions.sees_all(membership)
        else None,
    }


def queue_return_url(request) -> str:
    """Where a queue row's form goes back to without JavaScript: the queue
    page the row was on (posted as ``next``), else the queue."""
    return safe_next(request, reverse("requests_sla:queue"))


QUEUE_PAGE_SIZE = 50


def _uncounted_page_rows(queryset, page_param) -> list:
    """The rows of one queue page without counting the queue: the same
    rows ``Paginator.get_page`` gives, which it only needs the count for
    past the last page (or on a page number below 1)."""
    number = int_param(page_param)
    if number is None and not re.fullmatch(r"-?[0-9]+", str(page_param or "").strip()):
        number = 1  # as get_page reads a missing or malformed number (0 and -1: the last)
    if number is not None and number <= 100_000:  # deeper: past the end, get_page's last
        start = (number - 1) * QUEUE_PAGE_SIZE
        rows = list(queryset[start : start + QUEUE_PAGE_SIZE])
        if rows or number == 1:
            return rows
    return list(Paginator(queryset, QUEUE_PAGE_SIZE).get_page(page_param).object_list)


def queue_context(request, *, body_only: bool = False) -> dict:
    """The queue page's context; ``body_only`` for the table body alone (the
    minute poll, bulk assign), which shows no pager and no filter menus, so
    the queue is not counted and the menus are not read."""
    membership = request.membership
    filters = queue_filters(membership, request.GET)
    query = {k: v for k, v in filters.items() if v and not (k == "assignee" and v == "any")}
    bulk_department = filters["department"] or membership.department_id
    # A page at a time: a busy department's queue holds thousands of open
    # requests, and the head works the most urgent ones first anyway.
    queryset = requests_selectors.queue_page(membership, query)
    if body_only:
        page = None
        requests = _uncounted_page_rows(queryset, request.GET.get("page"))
    else:
        page = Paginator(queryset, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
        requests = list(page.object_list)
    # One query for who may be assigned the requests of every department
    # shown, and the bulk form's.
    assignable = requests_selectors.assignable_by_department(
        {r.serving_department_id for r in requests} | {bulk_department}
    )
    poll_url = reverse("requests_sla:queue") + (
        f"?{request.GET.urlencode()}" if request.GET else ""
    )
    queue_rows = QueueRows(request, assignable, next_url=poll_url)
    context = {
        "rows": [queue_rows.row(r) for r in requests],
        "filters": filters,
        "poll_url": poll_url,
    }
    if body_only:
        return context
    departments, types = requests_selectors.queue_filter_options()
    if not permissions.sees_all(membership):
        types = [t for t in types if t.serving_department_id == membership.department_id]
    elif filters["department"]:
        types = [t for t in types if t.serving_department_id == filters["department"]]
    page_query = request.GET.copy()
    page_query.pop("page", None)
    return context | {
        "page": page,
        "page_query": page_query.urlencode(),
        "departments": departments,
        "types": types,
        "statuses": Status.choices,
        "sla_states": SlaState.choices,
        "sees_all": permissions.sees_all(membership),
        "bulk_assignees": assignable.get(bulk_department, []),
        "can_bulk_assign": membership.can("manage_queue") or membership.role == "org_admin",
        "querystring": request.GET.urlencode(),
        "queue_department": next(
            (d for d in departments if d.pk == (filters["department"] or membership.department_id)),
            None,
        ),
    }


@membership_required()
def queue(request):
    """A department's work, due first. The view the benchmark renders."""
    if not works_queue(request.membership):
        raise PermissionDenied
    htmx = getattr(request, "htmx", None)
    if htmx and htmx.target == "queue-body":
        return render(
            request, "requests_sla/_queue_body.html", queue_context(request, body_only=True)
        )
    return render(request, "requests_sla/queue.html", queue_context(request))


@require_POST
@membership_required()
def queue_bulk_assign(request):
    membership = request.membership
    if not works_queue(membership):
        raise PermissionDenied
    ids = [i for i in (int_param(v) for v in request.POST.getlist("ids")) if i]
    # No default: the picker starts empty; unassigning is its own choice ("none").
    choice = (request.POST.get("assignee") or "").strip()
    unassign = choice == "none"
    assignee = None if unassign else int_param(choice)
    error = None
    if not ids:
        error = _("请先勾选要指派的请求。")
    elif not unassign and assignee is None:
        error = _("请先选择处理人（或选择“取消指派”）。未做任何更改。")
    else:
        chosen = list(selectors.requests_visible_to(membership).filter(pk__in=ids).order_by("pk"))
        if len(chosen) != len(set(ids)):
            raise Http404
        try:
            services.requests_bulk_assign(requests=chosen, actor=membership, assignee=assignee)
        except ServiceError as exc:
            error = exc.message
    querystring = request.POST.get("filters", "")
    if not request.htmx:
        if error:
            messages.error(request, error)
        elif unassign:
            messages.success(
                request,
                ngettext("已取消 %(n)s 个请求的指派。", "已取消 %(n)s 个请求的指派。", len(ids))
                % {"n": len(ids)},
            )
        else:
            messages.success(
                request,
                ngettext("已指派 %(n)s 个请求。", "已指派 %(n)s 个请求。", len(ids))
                % {"n": len(ids)},
            )
        return redirect(reverse("requests_sla:queue") + (f"?{querystring}" if querystring else ""))
    request.GET = QueryDict(querystring)
    context = queue_context(request, body_only=True)
    context.update(
        bulk_error=error, bulk_done=None if error else len(ids), bulk_unassigned=unassign
    )
    return render(request, "requests_sla/_queue_body.html", context)
