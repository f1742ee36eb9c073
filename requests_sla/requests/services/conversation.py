"""Comments, internal notes, mentions, attachments and watchers of a request."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from collab.errors import ServiceError
from departments.models import Membership
from requests_sla.notifications.models import NotificationKind
from requests_sla.requests import permissions
from requests_sla.requests.models import (
    Attachment,
    Comment,
    Request,
    Status,
)
from requests_sla.requests.services.common import (
    acting,
    attachment_create,
    attachment_validate,
    request_lock,
    request_notify,
    request_save,
    request_timers,
    response_stop,
    serving_heads,
)
from requests_sla.requests.services.lifecycle import timers_resume
from requests_sla.sla.services import (
    request_refresh_sla,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User

MENTION = re.compile(r"(?<![\w@])@([\w.+-]+)")


def attachment_add(
    *,
    request: Request,
    actor: Membership,
    file: UploadedFile,
    comment: Comment | None = None,
    at: dt.datetime | None = None,
) -> Attachment:
    with acting(actor, at) as at:
        request = request_lock(request, actor)
        permissions.require(actor, "attach", request)
        if comment is not None and comment.request_id != request.pk:
            raise ServiceError(_("评论不属于该请求。"), field="comment")
        return attachment_create(request=request, actor=actor, file=file, at=at, comment=comment)


def _mentioned_members(body: str) -> list[Membership]:
    names = {name.rstrip(".") for name in MENTION.findall(body)}
    if not names:
        return []
    return list(
        Membership.objects.filter(user__username__in=names, is_active=True).select_related(
            "user", "department"
        )
    )


def comment_add(
    *,
    request: Request,
    actor: Membership,
    body: str,
    is_internal: bool = False,
    files: Iterable[UploadedFile] = (),
    at: dt.datetime | None = None,
) -> Comment:
    """A public comment or an internal note. @username mentions of members
    are recorded and notified (internal notes only notify those who may read
    them). The requester answering while the request waits on them resumes
    it; a serving member's first public comment is the first response."""
    with acting(actor, at) as at:
        request = request_lock(request, actor)
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
            attachment_create(request=request, actor=actor, file=file, at=at, comment=comment)
        mentioned = [
            m
            for m in _mentioned_members(body)
            if not is_internal or permissions.sees_internal_notes(m, request)
        ]
        if mentioned:
            comment.mentions.add(
                *[m.user for m in mentioned],
                through_defaults={"organization_id": comment.organization_id},
            )
            request_notify(
                request,
                actor,
                at,
                NotificationKind.MENTION,
                [m.user_id for m in mentioned],
                body=body[:200],
            )
        if not is_internal and permissions.is_requester(actor, request):
            # The requester answered: whoever works it hears (the heads while
            # nobody does), unless the comment @mentioned them already.
            told = {m.user_id for m in mentioned}
            workers = [request.assignee_id] if request.assignee_id else []
            workers = workers or list(serving_heads(request.serving_department_id))
            request_notify(
                request,
                actor,
                at,
                NotificationKind.REPLIED,
                [i for i in workers if i not in told],
                body=body[:200],
            )
        if not is_internal:
            if request.status == Status.WAITING_ON_REQUESTER and permissions.is_requester(
                actor, request
            ):
                timers_resume(request, actor, at, "resume")
            elif request.status == Status.NEW and permissions.serves(actor, request):
                response_stop(request, actor, at, request_timers(request))
                request.status = Status.ACKNOWLEDGED
                request_save(request, actor, at, "acknowledge")
                request_refresh_sla(request, request_timers(request))
        return comment


def watcher_add(
    *, request: Request, actor: Membership, user: User, at: dt.datetime | None = None
) -> Request:
    """Anyone who sees a request may watch it; the requester, the serving
    department and ops/admins may also add other members."""
    with acting(actor, at):
        request = request_lock(request, actor)
        permissions.require(actor, "watch", request)
        if user.pk != actor.user_id and not (
            permissions.is_requester(actor, request)
            or permissions.serves(actor, request)
            or permissions.sees_all(actor)
        ):
            raise permissions.PermissionDenied(_("你无权执行此操作。"))
        if not Membership.objects.filter(user=user, is_active=True).exists():
            raise ServiceError(_("关注人必须是本企业成员。"), field="user")
        request.watchers.add(user, through_defaults={"organization_id": request.organization_id})
        return request


def watcher_remove(
    *, request: Request, actor: Membership, user: User, at: dt.datetime | None = None
) -> Request:
    with acting(actor, at):
        request = request_lock(request, actor)
        permissions.require(actor, "watch", request)
        if user.pk != actor.user_id and not (
            permissions.is_requester(actor, request)
            or permissions.serves(actor, request)
            or permissions.sees_all(actor)
        ):
            raise permissions.PermissionDenied(_("你无权执行此操作。"))
        request.watchers.remove(user)
        return request
