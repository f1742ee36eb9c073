"""HTML pages of collaboration requests: glue over selectors and services.

In-place actions use htmx: a POST carrying ``HX-Request`` gets back the
region it changed (a queue row, the queue body or the request's main
region); the same POST without JavaScript redirects with a message.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from collab.decorators import membership_required
from collab.errors import ServiceError, apply_service_error
from departments.models import Membership
from requests_sla import permissions, selectors, selectors_ui, services
from requests_sla.catalog import selectors as catalog_selectors
from requests_sla.catalog.form_schema import LINK_TYPES, choice_pairs, label
from requests_sla.catalog.links import parse_link
from requests_sla.catalog.models import RequestType
from requests_sla.forms import AttachmentForm, CommentForm, ReasonForm, RequestForm, extra_form
from requests_sla.queue_rows import QueueRows
from requests_sla.requests.models import Status
from requests_sla.sla import selectors as sla_selectors
from requests_sla.sla.models import SlaEventKind, SlaState
from requests_sla.templatetags.sla import target_text, when_text

# ---------------------------------------------------------------- helpers


def _safe_next(request, fallback: str) -> str:
    """The posted ``next`` when it points at this site, else ``fallback``."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return target
    return fallback


def _redirect_back(request, fallback: str):
    return redirect(_safe_next(request, fallback))


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _works_queue(membership: Membership) -> bool:
    return membership.can("work_queue") or permissions.sees_all(membership)


# ---------------------------------------------------------------- filing


PROMISE_PHRASES = {
    "response": lambda when, name: _("%(when)s 前回复") % {"when": when},
    "resolution": lambda when, name: _("%(when)s 前解决") % {"when": when},
    "milestone": lambda when, name: _("%(name)s：%(when)s 前") % {"name": name, "when": when},
}


def promise_lines(request_type: RequestType, priority: str) -> list[dict]:
    """The promised times in the rep's words (明天 10:00 前回复)."""
    if priority not in (request_type.priorities or []):
        priority = request_type.default_priority
    lines = []
    for promise in sla_selectors.promised_times(request_type, priority):
        when = when_text(promise.due_at) if promise.due_at else ""
        lines.append(
            {
                "kind": promise.kind,
                "text": PROMISE_PHRASES.get(promise.kind, PROMISE_PHRASES["milestone"])(
                    when, promise.name
                ),
                "target": target_text(promise.unit, promise.amount),
                "due_at": promise.due_at,
                "provisional": promise.provisional,
            }
        )
    return lines


def _link_picker() -> str:
    """The template of the "customer / deal" field (the pipeline's), or ""."""
    return getattr(settings, "COLLAB_REQUEST_LINK_PICKER_TEMPLATE", "")


def _link_param(request) -> str:
    """A pre-filled link (``?link=opportunity:34``) when it is well formed."""
    link = request.GET.get("link", "")
    return link if parse_link(link) else ""


@membership_required("file_requests")
def new_request(request):
    """Step 1: which department, which kind of help (a pre-filled customer or
    deal is carried on to step 2)."""
    return render(
        request,
        "requests_sla/new.html",
        {"offers": catalog_selectors.filing_offers(), "link": _link_param(request)},
    )


def _active_type(type_id: int) -> RequestType:
    return get_object_or_404(
        RequestType.objects.select_related(
            "serving_department", "serving_department__organization"
        ),
        pk=type_id,
        is_active=True,
    )


@membership_required("file_requests")
def file_request(request, type_id: int):
    """Step 2: the type's form, with the promised times before submitting."""
    rtype = _active_type(type_id)
    picker = _link_picker()
    link_keys = {f["key"] for f in rtype.form_schema or [] if f.get("type") in LINK_TYPES}
    if request.method == "POST":
        form = RequestForm(request.POST, request_type=rtype)
        extra = extra_form(rtype, request.POST, request.FILES, without_links=bool(picker))
        # Both forms validate, so every mistake is reported in one round trip.
        if form.is_valid() & extra.is_valid():
            try:
                filed = services.request_file(
                    actor=request.membership,
                    request_type=rtype,
                    priority=form.cleaned_data["priority"],
                    title=form.cleaned_data["title"],
                    description=form.cleaned_data["description"],
                    extra=extra.extra_values,
                    files=extra.extra_files,
                    **(form.link_ids() if picker else {}),
                )
            except services.SchemaError as exc:
                for key, errors in exc.errors.items():
                    for message in errors:
                        if key in extra.fields:
                            extra.add_error(key, message)
                        elif picker and key in link_keys:
                            form.add_error("link", message)
                        else:
                            extra.add_error(None, message)
            except ServiceError as exc:
                if exc.field in ("account_id", "opportunity_id"):
                    form.add_error("link", exc.message)
                else:
                    apply_service_error(form, exc)
            else:
                messages.success(
                    request,
                    _("已提交 %(ref)s，%(department)s 会按承诺时间处理。")
                    % {"ref": filed.reference, "department": rtype.serving_department.name},
                )
                return redirect("requests_sla:detail", pk=filed.pk)
        priority = request.POST.get("priority", rtype.default_priority)
    else:
        form = RequestForm(request_type=rtype, initial={"link": _link_param(request)})
        extra = extra_form(rtype, without_links=bool(picker))
        priority = rtype.default_priority
    return render(
        request,
        "requests_sla/file.html",
        {
            "rtype": rtype,
            "form": form,
            "extra": extra,
            "link_picker": picker,
            "link_required": any(
                f.get("required") for f in rtype.form_schema or [] if f["key"] in link_keys
            ),
            "promises": promise_lines(rtype, priority),
            "has_files": any(f.get("type") == "file" for f in rtype.form_schema or []),
        },
    )


@membership_required("file_requests")
def promise(request, type_id: int):
    """htmx: the promised-times box for the chosen priority."""
    rtype = _active_type(type_id)
    priority = request.GET.get("priority", "")
    return render(
        request, "requests_sla/_promise.html", {"promises": promise_lines(rtype, priority)}
    )


# ---------------------------------------------------------------- my requests


@membership_required()
def my_requests(request):
    role = request.GET.get("role", "")
    status = request.GET.get("status", "active")
    rows = list(selectors_ui.my_requests(request.membership, role=role, status=status))
    return render(
        request,
        "requests_sla/mine.html",
        {
            "rows": rows,
            "role": role,
            "status": status,
            "has_filters": bool(role) or status != "active",
        },
    )


# ---------------------------------------------------------------- detail


def _timeline_rows(obj, membership) -> list[dict]:
    entries = selectors.request_timeline(obj, membership)
    assignee_ids = set()
    for entry in entries:
        assignee_ids.update(entry.data.get("changes", {}).get("assignee_id", ()))
    people = selectors_ui.members_by_id(assignee_ids)

    def name(user_id):
        m = people.get(user_id)
        return (m.user.get_full_name() or m.user.username) if m else _("（未知用户）")

    rows = []
    for entry in entries:
        row = {"at": entry.at, "kind": entry.kind, "actor": entry.actor, "lines": []}
        if entry.kind == "created":
            row["lines"].append(_("提交了请求"))
        elif entry.kind in ("status", "change"):
            changes = entry.data.get("changes", {})
            if "status" in changes:
                old, new = changes["status"]
                row["lines"].append(
                    _("状态：%(old)s → %(new)s")
                    % {"old": Status(old).label, "new": Status(new).label}
                )
            if "serving_department" in changes:
                old, new = changes["serving_department"]
                row["lines"].append(
                    _("转派：%(old)s → %(new)s")
                    % {"old": old.name if old else "—", "new": new.name if new else "—"}
                )
            if "assignee_id" in changes:
                new_id = changes["assignee_id"][1]
                row["lines"].append(
                    _("指派给 %(name)s") % {"name": name(new_id)} if new_id else _("取消了指派")
                )
            if entry.kind == "status" and entry.data.get("reason"):
                row["reason"] = entry.data["reason"]
        elif entry.kind == "comment":
            row["comment"] = entry.data["comment"]
        elif entry.kind == "sla":
            row["lines"].append(
                _("%(timer)s：%(event)s")
                % {
                    "timer": entry.data["timer_name"],
                    "event": SlaEventKind(entry.data["event"]).label,
                }
            )
            row["reason"] = entry.data.get("reason", "")
        rows.append(row)
    return rows


def _link_template() -> str:
    """The template that shows a request's customer/deal (the pipeline's), or ""."""
    return getattr(settings, "COLLAB_REQUEST_LINK_TEMPLATE", "")


def _extra_rows(obj) -> list[dict]:
    attachments = {a.pk: a for a in obj.attachments.all()}
    links_shown = bool(_link_template())
    rows = []
    for field in obj.request_type.form_schema or []:
        value = (obj.extra or {}).get(field["key"])
        if value in (None, ""):
            continue
        if links_shown and field.get("type") in LINK_TYPES:
            continue  # shown by name with its link, not as a bare id
        row = {"label": label(field), "value": value, "type": field.get("type")}
        if field.get("type") == "choice":
            row["value"] = dict(choice_pairs(field)).get(str(value), value)
        elif field.get("type") == "file":
            row["attachment"] = attachments.get(value)
        rows.append(row)
    return rows


def _detail_context(request, obj, **extra) -> dict:
    membership = request.membership
    actions = permissions.available_actions(membership, obj)
    context = {
        "obj": obj,
        "actions": actions,
        "timers": obj.current_timers,
        "timeline": _timeline_rows(obj, membership),
        "extra_rows": _extra_rows(obj),
        "comment_form": CommentForm(
            allow_internal=permissions.can(membership, "comment_internal", obj)
        ),
        "attach_form": AttachmentForm(),
        "attach_mb": f"{getattr(settings, 'COLLAB_ATTACHMENT_MAX_BYTES', 10 * 1024 * 1024) / 1024 / 1024:g}",
        "milestones_open": [
            t for t in obj.current_timers if t.kind == "milestone" and t.stopped_at is None
        ]
        if permissions.can(membership, "complete_milestone", obj)
        else [],
    }
    context.update(_watchers_context(membership, obj))
    context["link_template"] = _link_template()
    if "assign" in actions:
        context["assignees"] = list(selectors.assignable_members(obj.serving_department_id))
    if "transfer" in actions:
        context["transfer_types"] = [
            t
            for t in catalog_selectors.request_types_for_filing()
            if t.serving_department_id != obj.serving_department_id
        ]
    context.update(extra)
    return context


@membership_required()
def request_detail(request, pk: int):
    obj = selectors.request_get(request.membership, pk)
    return render(request, "requests_sla/detail.html", _detail_context(request, obj))


def _manages_watchers(membership: Membership, obj) -> bool:
    """Who may add or remove other people (the services check it again)."""
    return (
        permissions.is_requester(membership, obj)
        or permissions.serves(membership, obj)
        or permissions.sees_all(membership)
    )


def _watchers_context(membership: Membership, target, **extra) -> dict:
    watchers = list(target.watchers.all())
    watching = {w.pk for w in watchers}
    manages = _manages_watchers(membership, target)
    candidates = []
    if manages:
        candidates = [
            m
            for m in selectors_ui.watcher_candidates()
            if m.user_id not in watching and m.user_id != target.requester_id
        ]
    return {
        "watchers": watchers,
        "is_watching": membership.user_id in watching,
        "manages_watchers": manages,
        "watcher_candidates": candidates,
        **extra,
    }


@require_POST
@membership_required()
def request_watchers(request, pk: int):
    """Add or remove a watcher (``op`` = add/remove, ``user`` = id, default me);
    htmx gets the watchers box back."""
    obj = selectors.request_get(request.membership, pk)
    op = request.POST.get("op")
    if op not in ("add", "remove"):
        raise Http404
    user_id = _int(request.POST.get("user")) or request.user.pk
    member = (
        Membership.objects.filter(user_id=user_id, is_active=True).select_related("user").first()
    )
    error = done = None
    if member is None:
        error = _("关注人必须是本企业成员。")
    else:
        try:
            service = services.watcher_add if op == "add" else services.watcher_remove
            service(request=obj, actor=request.membership, user=member.user)
        except ServiceError as exc:
            error = exc.message
        else:
            name = member.user.get_full_name() or member.user.username
            done = (
                _("已添加关注人 %(name)s。") % {"name": name}
                if op == "add"
                else _("已移除关注人 %(name)s。") % {"name": name}
            )
    if not request.htmx:
        if error:
            messages.error(request, error)
        else:
            messages.success(request, done)
        return redirect("requests_sla:detail", pk=obj.pk)
    obj = selectors.request_get(request.membership, pk)
    context = _watchers_context(
        request.membership, obj, obj=obj, watcher_error=error, watcher_done=done
    )
    return render(request, "requests_sla/_watchers.html", context)


def _reason(request, required: bool) -> str:
    reason = request.POST.get("reason", "")
    if required:
        form = ReasonForm({"reason": reason})
        if not form.is_valid():
            raise ServiceError(_("请填写原因。"), field="reason")
    return reason


def _run_action(request, obj, action: str):
    actor = request.membership
    post = request.POST
    simple = {
        "acknowledge": services.request_acknowledge,
        "start": services.request_start,
        "resume": services.request_resume,
        "close": services.request_close,
    }
    if action in simple:
        return simple[action](request=obj, actor=actor)
    if action == "pause":
        return services.request_pause(request=obj, actor=actor, reason=_reason(request, True))
    if action == "resolve":
        return services.request_resolve(
            request=obj, actor=actor, resolution=post.get("resolution", "")
        )
    if action == "reopen":
        return services.request_reopen(request=obj, actor=actor, reason=post.get("reason", ""))
    if action == "cancel":
        return services.request_cancel(request=obj, actor=actor, reason=_reason(request, True))
    if action == "reject":
        return services.request_reject(request=obj, actor=actor, reason=_reason(request, True))
    if action == "assign":
        assignee = _int(post.get("assignee"))
        return services.request_assign(request=obj, actor=actor, assignee=assignee)
    if action == "complete_milestone":
        return services.request_milestone_complete(
            request=obj, actor=actor, key=post.get("key", "")
        )
    if action == "transfer":
        rtype = (
            RequestType.objects.select_related("serving_department")
            .filter(pk=_int(post.get("request_type")) or 0)
            .first()
        )
        if rtype is None:
            raise ServiceError(_("请选择要转派的部门和请求类型。"), field="request_type")
        return services.request_transfer(
            request=obj,
            actor=actor,
            serving_department=rtype.serving_department,
            request_type=rtype,
            reason=post.get("reason", ""),
        )
    raise Http404


ACTION_DONE = {
    "acknowledge": _("已响应。"),
    "start": _("已开始处理。"),
    "pause": _("已暂停，等待提交人回复。"),
    "resume": _("已恢复处理。"),
    "resolve": _("已解决。"),
    "close": _("已关闭。"),
    "reopen": _("已重新打开。"),
    "cancel": _("已撤回。"),
    "reject": _("已拒绝。"),
    "assign": _("已指派。"),
    "transfer": _("已转派。"),
    "complete_milestone": _("里程碑已完成。"),
}


@require_POST
@membership_required()
def request_action(request, pk: int, action: str):
    """One button, one service; the response is the region it changed."""
    if action not in ACTION_DONE:
        raise Http404
    obj = selectors.request_get(request.membership, pk)
    error = done = None
    try:
        _run_action(request, obj, action)
        done = str(ACTION_DONE[action])
    except ServiceError as exc:
        error = exc.message
    if not request.htmx:
        if error:
            messages.error(request, error)
        else:
            messages.success(request, done)
        return _redirect_back(request, reverse("requests_sla:detail", args=[obj.pk]))
    obj = selectors.request_get(request.membership, pk)
    if request.POST.get("return") == "row":
        assignable = selectors_ui.assignable_by_department([obj.serving_department_id])
        queue_rows = QueueRows(request, assignable, next_url=_queue_return_url(request))
        return HttpResponse(queue_rows.row(obj, error=error or "", done=done or ""))
    return render(
        request,
        "requests_sla/_request_main.html",
        _detail_context(request, obj, action_error=error, action_done=done),
    )


@require_POST
@membership_required()
def request_comment(request, pk: int):
    obj = selectors.request_get(request.membership, pk)
    allow_internal = permissions.can(request.membership, "comment_internal", obj)
    form = CommentForm(request.POST, allow_internal=allow_internal)
    if form.is_valid():
        try:
            services.comment_add(
                request=obj,
                actor=request.membership,
                body=form.cleaned_data["body"],
                is_internal=form.cleaned_data.get("is_internal", False),
                files=request.FILES.getlist("files"),
            )
        except ServiceError as exc:
            apply_service_error(form, exc)
    if form.errors:
        if not request.htmx:
            obj = selectors.request_get(request.membership, pk)
            return render(
                request,
                "requests_sla/detail.html",
                _detail_context(request, obj, comment_form=form),
            )
    elif not request.htmx:
        messages.success(request, _("评论已发布。"))
        return redirect("requests_sla:detail", pk=obj.pk)
    obj = selectors.request_get(request.membership, pk)
    extra = {"comment_form": form} if form.errors else {}
    return render(
        request, "requests_sla/_request_main.html", _detail_context(request, obj, **extra)
    )


@require_POST
@membership_required()
def request_attach(request, pk: int):
    obj = selectors.request_get(request.membership, pk)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.attachment_add(
                request=obj, actor=request.membership, file=form.cleaned_data["file"]
            )
        except ServiceError as exc:
            form.add_error("file", exc.message)
    if form.errors:
        obj = selectors.request_get(request.membership, pk)
        return render(
            request, "requests_sla/detail.html", _detail_context(request, obj, attach_form=form)
        )
    messages.success(request, _("附件已上传。"))
    return redirect("requests_sla:detail", pk=obj.pk)


# ---------------------------------------------------------------- queue

QUEUE_ASSIGNEE = ("me", "none", "any")


def queue_filters(membership: Membership, params: QueryDict) -> dict:
    """The queue's GET parameters, cleaned (bad values are ignored, never a 500)."""
    statuses = [s for s in params.getlist("status") if s in Status.values]
    default_assignee = "me" if membership.role == "dept_member" else "any"
    assignee = params.get("assignee", default_assignee) or "any"
    if assignee not in QUEUE_ASSIGNEE and _int(assignee) is None:
        assignee = default_assignee
    return {
        "status": statuses,
        "request_type": _int(params.get("request_type")),
        "assignee": assignee,
        "sla_state": params.get("sla_state") if params.get("sla_state") in SlaState.values else "",
        "requesting_department": _int(params.get("requesting_department")),
        "department": _int(params.get("department")) if permissions.sees_all(membership) else None,
    }


def _queue_return_url(request) -> str:
    """Where a queue row's form goes back to without JavaScript: the queue
    page the row was on (posted as ``next``), else the queue."""
    return _safe_next(request, reverse("requests_sla:queue"))


QUEUE_PAGE_SIZE = 50


def _uncounted_page_rows(queryset, page_param) -> list:
    """The rows of one queue page without counting the queue: the same
    rows ``Paginator.get_page`` gives, which it only needs the count for
    past the last page (or on a page number below 1)."""
    number = _int(page_param)
    if number is None:
        number = 1  # as get_page reads a missing or malformed number
    if number >= 1:
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
    queryset = selectors_ui.queue_page(membership, query)
    if body_only:
        page = None
        requests = _uncounted_page_rows(queryset, request.GET.get("page"))
    else:
        page = Paginator(queryset, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
        requests = list(page.object_list)
    # One query for who may be assigned the requests of every department
    # shown, and the bulk form's.
    assignable = selectors_ui.assignable_by_department(
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
    departments, types = selectors_ui.queue_filter_options()
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
    if not _works_queue(request.membership):
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
    if not _works_queue(membership):
        raise PermissionDenied
    ids = [i for i in (_int(v) for v in request.POST.getlist("ids")) if i]
    assignee = _int(request.POST.get("assignee"))
    error = None
    if not ids:
        error = _("请先勾选要指派的请求。")
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
        else:
            messages.success(
                request,
                ngettext("已指派 %(n)s 个请求。", "已指派 %(n)s 个请求。", len(ids))
                % {"n": len(ids)},
            )
        return redirect(reverse("requests_sla:queue") + (f"?{querystring}" if querystring else ""))
    request.GET = QueryDict(querystring)
    context = queue_context(request, body_only=True)
    context.update(bulk_error=error, bulk_done=None if error else len(ids))
    return render(request, "requests_sla/_queue_body.html", context)


# ---------------------------------------------------------------- catalog


# ---------------------------------------------------------------- calendar


