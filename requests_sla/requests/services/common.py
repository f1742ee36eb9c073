"""What every request service shares: the actor's scope and transaction, the
request's row lock, the status check, saving with a history row, the
current timers, attachments."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from collab import uploads
from collab.errors import ServiceError
from collab.history import history_note
from collab.tenancy import organization_scope
from departments.models import Membership
from departments.roles import Role
from requests_sla.notifications.services import notifications_send
from requests_sla.notifications.texts import request_params
from requests_sla.requests.models import (
    TRANSITIONS,
    Attachment,
    Comment,
    Request,
)
from requests_sla.sla.models import SlaTimer, StopReason, TimerKind
from requests_sla.sla.services import (
    timers_stop,
)


class SchemaError(ServiceError):
    """The request form's values are wrong; ``errors`` maps schema keys to messages."""

    def __init__(self, errors: Mapping[str, list[str]]) -> None:
        super().__init__(_("请检查表单内容。"), field="extra")
        self.errors = dict(errors)


@contextlib.contextmanager
def acting(actor: Membership, at: dt.datetime | None) -> Iterator[dt.datetime]:
    """Scope to the actor's organization, open the transaction, fix the time."""
    now = timezone.now()
    if at is None:
        at = now
    elif at > now + dt.timedelta(seconds=5):
        raise ServiceError(_("时间不能晚于现在。"), field="at")
    with organization_scope(actor.organization_id), transaction.atomic():
        yield at


def request_lock(request: Request, actor: Membership) -> Request:
    if request.organization_id != actor.organization_id:
        raise Request.DoesNotExist
    return Request.objects.select_for_update().get(pk=request.pk)


def transition_check(request: Request, action: str) -> None:
    if request.status not in TRANSITIONS[action]:
        raise ServiceError(
            _("当前状态（%(status)s）下不能执行此操作。")
            % {"status": request.get_status_display()},
            field="status",
        )


def request_save(request: Request, actor: Membership, at: dt.datetime, reason: str) -> None:
    history_note(request, user=actor.user, date=at, reason=reason)
    request.save()


def request_timers(request: Request) -> list[SlaTimer]:
    return list(SlaTimer.objects.filter(request=request, superseded_at__isnull=True).order_by("pk"))


def text_required(value: str, field: str, max_length: int = 2000) -> str:
    value = (value or "").strip()
    if not value:
        raise ServiceError(_("请填写原因。"), field=field)
    if len(value) > max_length:
        raise ServiceError(_("最多 %(n)s 个字符。") % {"n": max_length}, field=field)
    return value


def response_stop(
    request: Request, actor: Membership, at: dt.datetime, timers: list[SlaTimer]
) -> None:
    """First response: stamp it and stop the response timer (if still open)."""
    if request.acknowledged_at is None:
        request.acknowledged_at = at
    response = [t for t in timers if t.kind == TimerKind.RESPONSE and t.stopped_at is None]
    timers_stop(response, at=at, actor=actor.user, stop_reason=StopReason.ACKNOWLEDGED)


def serving_member(department_id: int, user_id: int | None) -> Membership | None:
    if not user_id:
        return None
    return (
        Membership.objects.filter(user_id=user_id, department_id=department_id, is_active=True)
        .select_related("user")
        .first()
    )


def attachment_validate(file: UploadedFile) -> None:
    max_bytes = getattr(settings, "COLLAB_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)
    size = file.size or 0
    if size > max_bytes:
        raise ServiceError(
            _("文件过大：最大 %(mb)s MB。") % {"mb": round(max_bytes / 1024 / 1024, 1)},
            field="file",
        )
    if size == 0:
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
    try:
        uploads.check_content(file, extension)
    except ValidationError as exc:
        raise ServiceError(exc.messages[0], field="file") from None


def attachment_create(
    *,
    request: Request,
    actor: Membership,
    file: UploadedFile,
    at: dt.datetime,
    comment: Comment | None = None,
    field_key: str = "",
) -> Attachment:
    attachment_validate(file)
    return attachment_store(
        request=request, actor=actor, file=file, at=at, comment=comment, field_key=field_key
    )


def attachment_store(
    *,
    request: Request,
    actor: Membership,
    file: UploadedFile,
    at: dt.datetime,
    comment: Comment | None = None,
    field_key: str = "",
) -> Attachment:
    """Store a file ``attachment_validate`` has passed (filing checks every
    upload before it writes anything, then stores them without a second look)."""
    return Attachment.objects.create(
        organization_id=request.organization_id,
        request=request,
        comment=comment,
        uploaded_by=actor.user,
        file=file,
        original_name=PurePath(file.name or "file").name[:255],
        size=file.size or 0,
        content_type=(getattr(file, "content_type", "") or "application/octet-stream")[:100],
        field_key=field_key,
        created_at=at,
    )


def request_notify(
    request: Request,
    actor: Membership,
    at: dt.datetime,
    kind: str,
    recipient_ids: Iterable[int | None],
    *,
    emails: Mapping[int, str] | None = None,
    release_at: dt.datetime | None = None,
    **facts: Any,
) -> None:
    """Tell ``recipient_ids`` (never the actor) about ``request``: in-app and
    by email, the text rendered in each reader's language from the facts.
    ``emails`` (user id → address) saves the address lookup when the caller
    read them with the recipients (``serving_heads``); ``release_at`` the
    emails' release time (``email_release_at``) when the caller read it."""
    recipients = {i for i in recipient_ids if i and i != actor.user_id}
    if not recipients:
        return
    user = actor.user
    notifications_send(
        organization_id=request.organization_id,
        request=request,
        recipient_ids=recipients,
        kind=kind,
        params=request_params(request, actor=user.get_full_name() or user.username, **facts),
        at=at,
        # The actor's organization is in hand (the membership came with it).
        language=actor.organization.default_language,
        emails=emails,
        release_at=release_at,
    )


def serving_heads(department_id: int) -> dict[int, str]:
    """The serving department's heads (who watch its queue): user id → email
    address ("" for none), read together so telling them needs no second read."""
    return dict(
        Membership.objects.filter(
            department_id=department_id, role=Role.DEPT_HEAD, is_active=True
        ).values_list("user_id", "user__email")
    )
