"""The request lifecycle: file, work, pause, resolve, reopen, transfer…

Every service takes the acting ``Membership`` as ``actor`` (who, in which
role and department), runs in one transaction holding the request's row
lock, checks ``permissions``, validates the status transition, writes the
request (simple-history records the actor and the reason) and appends SLA
events. ``at`` backdates an action (demo data, imports); it defaults to now
and may not lie in the future.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from collections.abc import Iterable, Mapping
from pathlib import PurePath

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from collab.errors import ServiceError
from collab.tenancy import organization_scope
from departments.models import Department, Membership
from requests_sla import permissions
from requests_sla.catalog.form_schema import (
    LINK_TYPES,
    file_keys,
    link_check,
    link_ids,
    validate_values,
)
from requests_sla.catalog.models import RequestType
from requests_sla.notifications.models import NotificationKind
from requests_sla.notifications.services import notifications_send
from requests_sla.requests.models import (
    OPEN_STATUSES,
    Attachment,
    Comment,
    Request,
    RequestCounter,
    Status,
)
from requests_sla.sla.models import SlaEventKind, SlaTimer, StopReason, TimerKind
from requests_sla.sla.services import (
    request_refresh_sla,
    sla_summary,
    timer_event_add,
    timers_insert,
    timers_plan,
    timers_start_for,
    timers_stop,
)

User = get_user_model()

S = Status
# Which statuses each transition may start from.
TRANSITIONS: dict[str, frozenset[str]] = {
    "acknowledge": frozenset({S.NEW}),
    "start": frozenset({S.NEW, S.ACKNOWLEDGED}),
    "pause": frozenset({S.NEW, S.ACKNOWLEDGED, S.IN_PROGRESS}),
    "resume": frozenset({S.WAITING_ON_REQUESTER}),
    "resolve": frozenset(OPEN_STATUSES),
    "close": frozenset({S.RESOLVED}),
    "reopen": frozenset({S.RESOLVED, S.CLOSED}),
    "cancel": frozenset(OPEN_STATUSES),
    "reject": frozenset(OPEN_STATUSES),
}
MENTION = re.compile(r"(?<![\w@])@([\w.+-]+)")


class SchemaError(ServiceError):
    """The request form's values are wrong; ``errors`` maps schema keys to messages."""

    def __init__(self, errors: Mapping[str, list[str]]) -> None:
        super().__init__(_("请检查表单内容。"), field="extra")
        self.errors = dict(errors)


# ---------------------------------------------------------------- helpers


@contextlib.contextmanager
def _acting(actor: Membership, at: dt.datetime | None):
    """Scope to the actor's organization, open the transaction, fix the time."""
    now = timezone.now()
    if at is None:
        at = now
    elif at > now + dt.timedelta(seconds=5):
        raise ServiceError(_("时间不能晚于现在。"), field="at")
    with organization_scope(actor.organization_id), transaction.atomic():
        yield at


def _lock(request: Request, actor: Membership) -> Request:
    if request.organization_id != actor.organization_id:
        raise Request.DoesNotExist
    return Request.objects.select_for_update().get(pk=request.pk)


def _check(request: Request, action: str) -> None:
    if request.status not in TRANSITIONS[action]:
        raise ServiceError(
            _("当前状态（%(status)s）下不能执行此操作。")
            % {"status": request.get_status_display()},
            field="status",
        )


def _save(request: Request, actor: Membership, at: dt.datetime, reason: str) -> None:
    request._history_user = actor.user
    request._history_date = at
    request._change_reason = reason
    request.save()


def _timers(request: Request) -> list[SlaTimer]:
    return list(SlaTimer.objects.filter(request=request, superseded_at__isnull=True).order_by("pk"))


def _require_text(value: str, field: str, max_length: int = 2000) -> str:
    value = (value or "").strip()
    if not value:
        raise ServiceError(_("请填写原因。"), field=field)
    if len(value) > max_length:
        raise ServiceError(_("最多 %(n)s 个字符。") % {"n": max_length}, field=field)
    return value


def _acknowledge(
    request: Request, actor: Membership, at: dt.datetime, timers: list[SlaTimer]
) -> None:
    """First response: stamp it and stop the response timer (if still open)."""
    if request.acknowledged_at is None:
        request.acknowledged_at = at
    response = [t for t in timers if t.kind == TimerKind.RESPONSE and t.stopped_at is None]
    timers_stop(response, at=at, actor=actor.user, stop_reason=StopReason.ACKNOWLEDGED)


def _next_number(organization_id: int) -> int:
    # One statement, atomic under concurrency: the unique row per organization
    # is created or incremented and its new value returned.
    table = RequestCounter._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (organization_id, last_number) VALUES (%s, 1) "  # noqa: S608
            f"ON CONFLICT (organization_id) DO UPDATE SET last_number = {table}.last_number + 1 "
            "RETURNING last_number",
            [organization_id],
        )
        return cursor.fetchone()[0]


def _member_of(department_id: int, user_id: int | None) -> Membership | None:
    if not user_id:
        return None
    return (
        Membership.objects.filter(user_id=user_id, department_id=department_id, is_active=True)
        .select_related("user")
        .first()
    )


# ---------------------------------------------------------------- attachments


def attachment_validate(file) -> None:
    max_bytes = getattr(settings, "COLLAB_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)
    if file.size > max_bytes:
        raise ServiceError(
            _("文件过大：最大 %(mb)s MB。") % {"mb": round(max_bytes / 1024 / 1024, 1)},
            field="file",
        )
    if file.size == 0:
        raise ServiceError(_("文件是空的。"), field="file")
    extension = PurePath(file.name or "").suffix.lower().lstrip(".")
    allowed_extensions = getattr(settings, "COLLAB_ATTACHMENT_EXTENSIONS", ())
    if allowed_extensions and extension not in allowed_extensions:
        raise ServiceError(
            _("不支持的文件类型：.%(ext)s。") % {"ext": extension or "?"}, field="file"
        )
    content_type = (getattr(file, "content_type", "") or "application/octet-stream").split(";")[0]
    allowed_types = getattr(settings, "COLLAB_ATTACHMENT_CONTENT_TYPES", ())
    if allowed_types and content_type not in allowed_types:
        raise ServiceError(_("不支持的文件类型：%(type)s。") % {"type": content_type}, field="file")


def _attachment_create(
    *, request, actor: Membership, file, at, comment=None, field_key=""
) -> Attachment:
    attachment_validate(file)
    return Attachment.objects.create(
        organization_id=request.organization_id,
        request=request,
        comment=comment,
        uploaded_by=actor.user,
        file=file,
        original_name=PurePath(file.name or "file").name[:255],
        size=file.size,
        content_type=(getattr(file, "content_type", "") or "application/octet-stream")[:100],
        field_key=field_key,
        created_at=at,
    )


def attachment_add(
    *, request: Request, actor: Membership, file, comment: Comment | None = None, at=None
) -> Attachment:
    with _acting(actor, at) as at:
        request = _lock(request, actor)
        permissions.require(actor, "attach", request)
        if comment is not None and comment.request_id != request.pk:
            raise ServiceError(_("评论不属于该请求。"), field="comment")
        return _attachment_create(request=request, actor=actor, file=file, at=at, comment=comment)


# ---------------------------------------------------------------- filing


def _links_given(actor: Membership, account_id, opportunity_id) -> dict[str, int | None]:
    """Check the customer/deal the caller linked (``account_id``/``opportunity_id``
    arguments): it must exist in the organization and be visible to the actor
    (``settings.COLLAB_LINK_VALIDATORS``). A deal alone brings its account."""
    links = {"account_id": account_id, "opportunity_id": opportunity_id}
    for field, value in links.items():
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, int) or value <= 0
        ):
            raise ServiceError(_("请输入有效的编号。"), field=field)
    if opportunity_id is not None:
        try:
            deal_account = link_check(
                "opportunity", opportunity_id, organization_id=actor.organization_id, actor=actor
            )
        except ValidationError as exc:
            raise ServiceError(exc.messages[0], field="opportunity_id") from None
        if isinstance(deal_account, int):
            if account_id is None:
                links["account_id"] = deal_account
            elif account_id != deal_account:
                raise ServiceError(_("该商机不属于所选客户。"), field="opportunity_id")
    if account_id is not None:
        try:
            link_check("account", account_id, organization_id=actor.organization_id, actor=actor)
        except ValidationError as exc:
            raise ServiceError(exc.messages[0], field="account_id") from None
    return links


def _with_links(schema: list, extra, links: Mapping[str, int | None]):
    """Fill the type's empty account/opportunity fields from the given links,
    so a required link field is satisfied by the one "customer / deal" field."""
    if extra is not None and not isinstance(extra, Mapping):
        return extra  # validate_values reports it
    extra = dict(extra or {})
    for field in schema:
        kind = field.get("type")
        value = links.get(f"{kind}_id") if kind in LINK_TYPES else None
        if value is not None and extra.get(field["key"]) in (None, ""):
            extra[field["key"]] = value
    return extra


def _links_from_schema(actor: Membership, schema: list, cleaned: Mapping) -> dict[str, int | None]:
    """The links entered in the type's own fields, checked against what the
    actor may see (errors keyed by the schema field)."""
    links = link_ids(schema, cleaned)
    keys = {
        f"{f['type']}_id": f["key"]
        for f in reversed(schema)
        if f.get("type") in LINK_TYPES and f["key"] in cleaned
    }
    for kind in ("opportunity", "account"):
        value = links[f"{kind}_id"]
        if value is None:
            continue
        try:
            result = link_check(kind, value, organization_id=actor.organization_id, actor=actor)
        except ValidationError as exc:
            raise SchemaError({keys[f"{kind}_id"]: list(exc.messages)}) from None
        if kind == "opportunity" and isinstance(result, int) and links["account_id"] is None:
            links["account_id"] = result
    return links


def request_file(
    *,
    actor: Membership,
    request_type: RequestType,
    priority: str = "",
    title: str,
    description: str = "",
    extra: Mapping | None = None,
    files: Mapping | None = None,
    serving_department: Department | None = None,
    requesting_department: Department | None = None,
    watchers: Iterable = (),
    account_id: int | None = None,
    opportunity_id: int | None = None,
    at: dt.datetime | None = None,
) -> Request:
    """File a request with a department and start its SLA timers.

    ``account_id``/``opportunity_id`` link it to the customer or deal it is
    for (a deal alone brings its account); they also fill the type's empty
    account/opportunity fields. Links in those fields count when no argument
    is given. Either way the ids are checked for the actor (see
    ``settings.COLLAB_LINK_VALIDATORS``)."""
    if not actor.can("file_requests"):
        raise permissions.PermissionDenied(_("你无权提交协作请求。"))
    with _acting(actor, at) as at:
        org_id = actor.organization_id
        if request_type.organization_id != org_id:
            raise ServiceError(_("请求类型不存在。"), field="request_type")
        if serving_department is None:
            serving_department = request_type.serving_department
        if serving_department.organization_id != org_id:
            raise ServiceError(_("部门不存在。"), field="serving_department")
        if request_type.serving_department_id != serving_department.pk:
            raise ServiceError(_("该请求类型不属于所选部门。"), field="request_type")
        if not request_type.is_active:
            raise ServiceError(_("该请求类型已停用。"), field="request_type")
        priority = priority or request_type.default_priority
        if priority not in (request_type.priorities or []) or not request_type.targets_for(
            priority
        ):
            raise ServiceError(_("该请求类型不支持此优先级。"), field="priority")
        title = (title or "").strip()
        if not title:
            raise ServiceError(_("请填写标题。"), field="title")
        if len(title) > 200:
            raise ServiceError(_("最多 %(n)s 个字符。") % {"n": 200}, field="title")
        if requesting_department is None:
            requesting_department = actor.department
        elif requesting_department.organization_id != org_id:
            raise ServiceError(_("部门不存在。"), field="requesting_department")
        schema = request_type.form_schema or []
        given = _links_given(actor, account_id, opportunity_id)
        extra = _with_links(schema, extra, given)
        files = {k: v for k, v in (files or {}).items() if v and k in file_keys(schema)}
        cleaned, errors = validate_values(schema, extra, files=files, organization_id=org_id)
        for key, file in files.items():
            try:
                attachment_validate(file)
            except ServiceError as exc:
                errors[key] = [exc.message]
        if errors:
            raise SchemaError(errors)
        if None in given.values():
            from_schema = _links_from_schema(actor, schema, cleaned)
            given = {k: v if v is not None else from_schema[k] for k, v in given.items()}
        watcher_users = list(watchers)
        members = set(
            Membership.objects.filter(user__in=watcher_users, is_active=True).values_list(
                "user_id", flat=True
            )
        )
        for user in watcher_users:
            if user.pk not in members:
                raise ServiceError(_("关注人必须是本企业成员。"), field="watchers")

        request = Request(
            organization_id=org_id,
            requester=actor.user,
            requesting_department=requesting_department,
            serving_department=serving_department,
            request_type=request_type,
            priority=priority,
            title=title,
            description=(description or "").strip(),
            extra=cleaned,
            created_at=at,
            **given,
        )
        planned = timers_plan(request=request, at=at, actor=actor.user)
        request.sla_due_at, request.sla_state = sla_summary(timer for timer, _ in planned)
        # Taken last: the counter row stays locked until commit, so concurrent
        # filings in one organization queue only for the inserts, not the work.
        request.number = _next_number(org_id)
        _save(request, actor, at, "file")
        if watcher_users:
            request.watchers.add(*watcher_users)
        attachments = []
        if files:
            for key, file in files.items():
                attachment = _attachment_create(
                    request=request, actor=actor, file=file, at=at, field_key=key
                )
                attachments.append(attachment)
                cleaned[key] = attachment.pk
            request.extra = cleaned
            Request.objects.filter(pk=request.pk).update(extra=cleaned)
        # The filer sees what was filed without reading it back: the timers
        # ride along under the name request_list's prefetch gives them, the
        # watchers and attachments as ``filed_*`` (see selectors.request_filed).
        request.current_timers = timers_insert(planned)
        request.filed_watchers, request.filed_attachments = watcher_users, attachments
        return request


# ---------------------------------------------------------------- serving side


def request_acknowledge(*, request: Request, actor: Membership, at=None) -> Request:
    with _acting(actor, at) as at:
        request = _lock(request, actor)
        permissions.require(actor, "acknowledge", request)
        _check(request, "acknowledge")
        timers = _timers(request)
        _acknowledge(request, actor, at, timers)
        request.status = Status.ACKNOWLEDGED
        _save(request, actor, at, "acknowledge")
        request_refresh_sla(request, _timers(request))
        return request


def request_start(*, request: Request, actor: Membership, at=None) -> Request:
    """Start work (acknowledging first if needed); an unassigned request is
    taken by whoever starts it."""
    with _acting(actor, at) as at:
        request = _lock(request, actor)
        permissions.require(actor, "start", request)
        _check(request, "start")
        _acknowledge(request, actor, at, _timers(request))
        request.status = Status.IN_PROGRESS
        if request.assignee_id is None:
            request.assignee = actor.user
        _save(request, actor, at, "start")
        request_refresh_sla(request, _timers(request))
        return request


def request_pause(*, request: Request, actor: Membership, reason: str, at=None) -> Request:
    """Wait on the requester: asking them is a response, and the running
    resolution/milestone clocks pause until they answer."""
    with _acting(actor, at) as at:
        request = _lock(request, actor)
        permissions.require(actor, "pause", request)
        _check(request, "pause")
        reason = _require_text(reason, "reason")
        timers = _timers(request)
        _acknowledge(request, actor, at, timers)
        for timer in timers:
            if timer.stopped_at is None and not timer.paused:
                timer_event_add(timer, SlaEventKind.PAUSE, at=at, actor=actor.user, reason=reason)
        request.status = Status.WAITING_ON_REQUESTER
        request.status_reason = reason
        _save(request, actor, at, "pause")
        request_refresh_sla(request, _timers(request))
        return request


def _resume(request: Request, actor: Membership, at: dt.datetime, reason: str) -> None:
    for timer in _timers(request):
        if timer.paused and timer.stopped_at is None:
            timer_event_add(timer, SlaEventKind.RESUME, at=at, actor=actor.user)
    request.status = Status.IN_PROGRESS
    request.status_reason = ""
    _save(request, actor, at, reason)
    request_refresh_sla(request, _timers(request))


def request_resume(*, request: Request, actor: Membership, at=None) -> Request:
    with _acting(actor, at) as at:
        request = _lock(request, actor)
        permissions.require(actor, "resume", request)
        _check(request, "resume")
        _resume(request, actor, at, "resume")
        return request


def request_resolve(
    *, request: Request, actor: Membership, resolution: str = "", at=None
) -> Request:
    with _acting(actor, at) as at:
        request = _lock(request, actor)
        permissions.require(actor, "resolve", request)
        _check(request, "resolve")
        timers = _timers(request)
        _acknowledge(request, actor, at, timers)
        timers_stop(
            [t for t in timers if t.kind != TimerKind.RESPONSE],
            at=at,
            actor=actor.user,
            stop_reason=StopReason.RESOLVED,
        )
        request.status = Status.RESOLVED
        request.status_reason = (resolution or "").strip()
        request.resolved_at = at
        if request.assignee_id is None:
            request.assignee = actor.user
        _save(request, actor, at, "resolve")
        request_refresh_sla(request, _timers(request))
        return request


def request_milestone_complete(
    *, request: Request, actor: Membership, key: str, at=None
) -> Request:
    with _acting(actor, at) as at:
        request = _lock(request, actor)
        permissions.require(actor, "complete_milestone", request)
        timer = next(
            (t for t in _timers(request) if t.kind == TimerKind.MILESTONE and t.key == key), None
        )
        if timer is None:
            raise ServiceError(_("没有这个里程碑。"), field="key")
        if timer.stopped_at is not None:
            raise ServiceError(_("该里程碑已完成。"), field="key")
        timers_stop([timer], at=at, actor=actor.user, stop_reason=StopReason.COMPLETED)
        request_refresh_sla(request, _timers(request))
        return request


def request_close(*, request: Request, actor: Membership, at=None) -> Request:
    with _acting(actor, at) as at:
        request = _lock(request, actor)
        permissions.require(actor, "close", request)
        _check(request, "close")
        request.status = Status.CLOSED
        request.closed_at = at
        _save(request, actor, at, "close")
        return request


def request_reopen(*, request: Request, actor: Membership, reason: str = "", at=None) -> Request:
    """Back to work: the resolution clock continues with the budget it had
    (the time spent resolved does not count)."""
    with _acting(actor, at) as at:
        request = _lock(request, actor)
        if not permissions.can(actor, "reopen", request, now=at):
            if permissions.is_requester(actor, request):
                raise ServiceError(
                    _("只能在解决后 %(days)s 天内重新打开。")
                    % {"days": permissions.reopen_window().days},
                    field="status",
                )
            permissions.require(actor, "reopen", request, now=at)
        _check(request, "reopen")
        for timer in _timers(request):
            if timer.kind == TimerKind.RESOLUTION and timer.stopped_at is not None:
                timer_event_add(timer, SlaEventKind.RESUME, at=at, actor=actor.user, reason=reason)
        request.status = Status.IN_PROGRESS
        request.status_reason = (reason or "").strip()
        request.resolved_at = None
        request.closed_at = None
        _save(request, actor, at, "reopen")
        request_refresh_sla(request, _timers(request))
        return request


def _finish(
    request: Request, actor: Membership, at, *, reason: str, status, stop_reason, action: str
) -> Request:
    """Cancel or reject: a reason is required, every timer stops for good."""
    with _acting(actor, at) as at:
        request = _lock(request, actor)
        permissions.require(actor, action, request)
        _check(request, action)
        reason = _require_text(reason, "reason")
        timers_stop(
            _timers(request), at=at, actor=actor.user, stop_reason=stop_reason, reason=reason
        )
        request.status = status
        request.status_reason = reason
        request.closed_at = at
        _save(request, actor, at, action)
        request_refresh_sla(request, _timers(request))
        return request


def request_cancel(*, request: Request, actor: Membership, reason: str, at=None) -> Request:
    return _finish(
        request,
        actor,
        at,
        reason=reason,
        status=Status.CANCELLED,
        stop_reason=StopReason.CANCELLED,
        action="cancel",
    )


def request_reject(*, request: Request, actor: Membership, reason: str, at=None) -> Request:
    return _finish(
        request,
        actor,
        at,
        reason=reason,
        status=Status.REJECTED,
        stop_reason=StopReason.REJECTED,
        action="reject",
    )


def request_transfer(
    *,
    request: Request,
    actor: Membership,
    serving_department: Department,
    request_type: RequestType,
    priority: str = "",
    reason: str = "",
    at=None,
) -> Request:
    """Hand the request to another department under one of its types.

    The old timers are stopped and kept (superseded) so the first
    department's record stays; the new department gets fresh response and
    resolution timers from the transfer instant, as if newly filed with it.
    """
    with _acting(actor, at) as at:
        request = _lock(request, actor)
        permissions.require(actor, "transfer", request)
        if not request.is_open:
            _check(request, "cancel")  # same "still open" rule, same message
        if serving_department.organization_id != actor.organization_id:
            raise ServiceError(_("部门不存在。"), field="serving_department")
        if serving_department.pk == request.serving_department_id:
            raise ServiceError(_("请选择另一个部门。"), field="serving_department")
        if (
            request_type.organization_id != actor.organization_id
            or request_type.serving_department_id != serving_department.pk
        ):
            raise ServiceError(_("该请求类型不属于所选部门。"), field="request_type")
        if not request_type.is_active:
            raise ServiceError(_("该请求类型已停用。"), field="request_type")
        priority = priority or (
            request.priority
            if request.priority in request_type.priorities
            else request_type.default_priority
        )
        if priority not in request_type.priorities or not request_type.targets_for(priority):
            raise ServiceError(_("该请求类型不支持此优先级。"), field="priority")
        timers_stop(
            _timers(request),
            at=at,
            actor=actor.user,
            stop_reason=StopReason.TRANSFERRED,
            reason=reason,
            supersede=True,
        )
        request.serving_department = serving_department
        request.request_type = request_type
        request.priority = priority
        request.assignee = None
        request.status = Status.NEW
        request.status_reason = (reason or "").strip()
        request.acknowledged_at = None
        _save(request, actor, at, "transfer")
        timers = timers_start_for(request=request, at=at, actor=actor.user)
        request_refresh_sla(request, timers)
        return request


def _assign(request: Request, actor: Membership, assignee, at) -> None:
    if assignee is not None:
        member = _member_of(request.serving_department_id, getattr(assignee, "pk", assignee))
        if member is None:
            raise ServiceError(_("处理人必须是服务部门的有效成员。"), field="assignee")
        assignee = member.user
    if request.assignee_id == (assignee.pk if assignee else None):
        return
    request.assignee = assignee
    _save(request, actor, at, "assign")
    if assignee is not None and assignee.pk != actor.user_id:
        notifications_send(
            organization_id=request.organization_id,
            request=request,
            recipient_ids=[assignee.pk],
            kind=NotificationKind.ASSIGNED,
            text=f"{request.reference} {request.title}",
            at=at,
        )


def request_assign(*, request: Request, actor: Membership, assignee, at=None) -> Request:
    """``assignee`` is a user (or user id) who is an active member of the
    serving department, or None to unassign."""
    with _acting(actor, at) as at:
        request = _lock(request, actor)
        permissions.require(actor, "assign", request)
        if not request.is_open:
            _check(request, "cancel")
        _assign(request, actor, assignee, at)
        return request


def requests_bulk_assign(
    *, requests: Iterable[Request], actor: Membership, assignee, at=None
) -> list[Request]:
    """Assign several requests at once: all or nothing."""
    done = []
    with _acting(actor, at) as at:
        for request in requests:
            request = _lock(request, actor)
            permissions.require(actor, "assign", request)
            if not request.is_open:
                raise ServiceError(
                    _("%(ref)s 已结束，不能指派。") % {"ref": request.reference}, field="requests"
                )
            _assign(request, actor, assignee, at)
            done.append(request)
    return done


# ---------------------------------------------------------------- conversation


def _mentioned_members(body: str) -> list[Membership]:
    names = {name.rstrip(".") for name in MENTION.findall(body)}
    if not names:
        return []
    return list(
        Membership.objects.filter(user__username__in=names, is_active=True).select_related("user")
    )


def comment_add(
    *,
    request: Request,
    actor: Membership,
    body: str,
    is_internal: bool = False,
    files: Iterable = (),
    at=None,
) -> Comment:
    """A public comment or an internal note. @username mentions of members
    are recorded and notified (internal notes only notify those who may read
    them). The requester answering while the request waits on them resumes
    it; a serving member's first public comment is the first response."""
    with _acting(actor, at) as at:
        request = _lock(request, actor)
        permissions.require(actor, "comment", request)
        if is_internal:
            permissions.require(actor, "comment_internal", request)
        body = (body or "").strip()
        if not body:
            raise ServiceError(_("请填写评论内容。"), field="body")
        if len(body) > 10_000:
            raise ServiceError(_("最多 %(n)s 个字符。") % {"n": 10_000}, field="body")
        files = list(files)
        for file in files:
            attachment_validate(file)
        comment = Comment.objects.create(
            organization_id=request.organization_id,
            request=request,
            author=actor.user,
            body=body,
            is_internal=is_internal,
            created_at=at,
        )
        for file in files:
            _attachment_create(request=request, actor=actor, file=file, at=at, comment=comment)
        mentioned = [
            m
            for m in _mentioned_members(body)
            if not is_internal or permissions.sees_internal_notes(m, request)
        ]
        if mentioned:
            comment.mentions.add(*[m.user for m in mentioned])
            notifications_send(
                organization_id=request.organization_id,
                request=request,
                recipient_ids=[m.user_id for m in mentioned if m.user_id != actor.user_id],
                kind=NotificationKind.MENTION,
                text=f"{request.reference}: {body[:200]}",
                at=at,
            )
        if not is_internal:
            if request.status == Status.WAITING_ON_REQUESTER and permissions.is_requester(
                actor, request
            ):
                _resume(request, actor, at, "resume")
            elif request.status == Status.NEW and permissions.serves(actor, request):
                _acknowledge(request, actor, at, _timers(request))
                request.status = Status.ACKNOWLEDGED
                _save(request, actor, at, "acknowledge")
                request_refresh_sla(request, _timers(request))
        return comment


def watcher_add(*, request: Request, actor: Membership, user, at=None) -> Request:
    """Anyone who sees a request may watch it; the requester, the serving
    department and ops/admins may also add other members."""
    with _acting(actor, at):
        request = _lock(request, actor)
        permissions.require(actor, "watch", request)
        if user.pk != actor.user_id and not (
            permissions.is_requester(actor, request)
            or permissions.serves(actor, request)
            or permissions.sees_all(actor)
        ):
            raise permissions.PermissionDenied(_("你无权执行此操作。"))
        if not Membership.objects.filter(user=user, is_active=True).exists():
            raise ServiceError(_("关注人必须是本企业成员。"), field="user")
        request.watchers.add(user)
        return request


def watcher_remove(*, request: Request, actor: Membership, user, at=None) -> Request:
    with _acting(actor, at):
        request = _lock(request, actor)
        permissions.require(actor, "watch", request)
        if user.pk != actor.user_id and not (
            permissions.is_requester(actor, request)
            or permissions.serves(actor, request)
            or permissions.sees_all(actor)
        ):
            raise permissions.PermissionDenied(_("你无权执行此操作。"))
        request.watchers.remove(user)
        return request


