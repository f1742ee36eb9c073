"""HTML pages of collaboration requests: glue over selectors and services.

In-place actions use htmx: a POST carrying ``HX-Request`` gets back the
region it changed (a queue row, the queue body or the request's main
region); the same POST without JavaScript redirects with a message.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from collab.decorators import membership_required
from collab.errors import ServiceError, apply_service_error
from departments.models import Membership
from requests_sla.catalog import selectors as catalog_selectors
from requests_sla.catalog.form_schema import choice_pairs, label
from requests_sla.catalog.links import LINK_TYPES, link_display_template, links_attach
from requests_sla.catalog.models import Priority, RequestType
from requests_sla.notifications.services import notifications_read_for_request
from requests_sla.requests import hooks, permissions, selectors
from requests_sla.requests import selectors as requests_selectors
from requests_sla.requests import services as request_services
from requests_sla.requests.forms import (
    AttachmentForm,
    CommentForm,
    ReasonForm,
)
from requests_sla.requests.models import Status
from requests_sla.requests.presentation import QueueRows
from requests_sla.requests.views.common import int_param, redirect_back
from requests_sla.requests.views.queue import queue_return_url
from requests_sla.sla.models import SlaEventKind

# ---------------------------------------------------------------- helpers


# ---------------------------------------------------------------- filing


# ---------------------------------------------------------------- my requests


# ---------------------------------------------------------------- detail


def _timeline_rows(obj, membership) -> list[dict]:
    entries = selectors.request_timeline(obj, membership)
    assignee_ids = set()
    for entry in entries:
        assignee_ids.update(entry.data.get("changes", {}).get("assignee_id", ()))
    people = requests_selectors.members_by_id(assignee_ids)

    def name(user_id):
        m = people.get(user_id)
        return (m.user.get_full_name() or m.user.username) if m else _("（未知用户）")

    rows = []
    for entry in entries:
        row = {"at": entry.at, "kind": entry.kind, "actor": entry.actor, "lines": []}
        if entry.kind == "created":
            row["lines"].append(_("提交了请求"))
        elif entry.kind in ("status", "change"):
            row["lines"] += _change_lines(entry.data.get("changes", {}), name)
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


def _change_lines(changes: dict, name) -> list[str]:
    """What a status change or an edit changed, one line each; ``name(user_id)``
    says who an assignee is."""
    lines = []
    if "status" in changes:
        old, new = changes["status"]
        lines.append(
            _("状态：%(old)s → %(new)s") % {"old": Status(old).label, "new": Status(new).label}
        )
    if "serving_department" in changes:
        old, new = changes["serving_department"]
        lines.append(
            _("转派：%(old)s → %(new)s")
            % {"old": old.name if old else "—", "new": new.name if new else "—"}
        )
    if "priority" in changes:
        old, new = changes["priority"]
        lines.append(
            _("优先级：%(old)s → %(new)s")
            % {"old": Priority(old).label, "new": Priority(new).label}
        )
    if "assignee_id" in changes:
        new_id = changes["assignee_id"][1]
        lines.append(_("指派给 %(name)s") % {"name": name(new_id)} if new_id else _("取消了指派"))
    return lines


def _extra_rows(obj) -> list[dict]:
    attachments = {a.pk: a for a in obj.visible_attachments}
    links_shown = bool(link_display_template())
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
    context["hook_panels"] = hooks.detail_panels()  # e.g. enablement's fulfilling asset
    context["link_template"] = link_display_template()
    if context["link_template"]:
        links_attach([obj])
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
    # Opening the request reads its notices (before the header counts them).
    notifications_read_for_request(user_id=request.user.pk, request_id=obj.pk)
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
            for m in requests_selectors.watcher_candidates()
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
    user_id = int_param(request.POST.get("user")) or request.user.pk
    member = (
        Membership.objects.filter(user_id=user_id, is_active=True).select_related("user").first()
    )
    error = done = None
    if member is None:
        error = _("关注人必须是本企业成员。")
    else:
        try:
            service = (
                request_services.watcher_add if op == "add" else request_services.watcher_remove
            )
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
        "acknowledge": request_services.request_acknowledge,
        "start": request_services.request_start,
        "resume": request_services.request_resume,
        "close": request_services.request_close,
    }
    if action in simple:
        return simple[action](request=obj, actor=actor)
    if action == "pause":
        return request_services.request_pause(
            request=obj, actor=actor, reason=_reason(request, True)
        )
    if action == "resolve":
        return request_services.request_resolve(
            request=obj, actor=actor, resolution=post.get("resolution", "")
        )
    if action == "reopen":
        return request_services.request_reopen(
            request=obj, actor=actor, reason=post.get("reason", "")
        )
    if action == "cancel":
        return request_services.request_cancel(
            request=obj, actor=actor, reason=_reason(request, True)
        )
    if action == "reject":
        return request_services.request_reject(
            request=obj, actor=actor, reason=_reason(request, True)
        )
    if action == "assign":
        assignee = int_param(post.get("assignee"))
        return request_services.request_assign(request=obj, actor=actor, assignee=assignee)
    if action == "complete_milestone":
        return request_services.request_milestone_complete(
            request=obj, actor=actor, key=post.get("key", "")
        )
    if action == "transfer":
        rtype = (
            RequestType.objects.select_related("serving_department")
            .filter(pk=int_param(post.get("request_type")) or 0)
            .first()
        )
        if rtype is None:
            raise ServiceError(_("请选择要转派的部门和请求类型。"), field="request_type")
        return request_services.request_transfer(
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
        return redirect_back(request, reverse("requests_sla:detail", args=[obj.pk]))
    obj = selectors.request_get(request.membership, pk)
    if request.POST.get("return") == "row":
        assignable = requests_selectors.assignable_by_department([obj.serving_department_id])
        queue_rows = QueueRows(request, assignable, next_url=queue_return_url(request))
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
            request_services.comment_add(
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
            request_services.attachment_add(
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


# ---------------------------------------------------------------- catalog


# ---------------------------------------------------------------- calendar
