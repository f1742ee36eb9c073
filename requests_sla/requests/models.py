"""Collaboration requests, their comments and attachments.

Every table is tenant-owned (``TenantModel``): unique constraints include
``organization`` and composite indexes start with it."""

from __future__ import annotations

import uuid
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from collab.tenancy import TenantModel
from requests_sla.catalog.models import Priority, RequestType
from requests_sla.sla.models import SlaState


class Status(models.TextChoices):
    NEW = "new", _("新建")
    ACKNOWLEDGED = "acknowledged", _("已响应")
    IN_PROGRESS = "in_progress", _("处理中")
    WAITING_ON_REQUESTER = "waiting_on_requester", _("等待提交人")
    RESOLVED = "resolved", _("已解决")
    CLOSED = "closed", _("已关闭")
    CANCELLED = "cancelled", _("已撤回")
    REJECTED = "rejected", _("已拒绝")


OPEN_STATUSES = (
    Status.NEW,
    Status.ACKNOWLEDGED,
    Status.IN_PROGRESS,
    Status.WAITING_ON_REQUESTER,
)


FINAL_STATUSES = (Status.CLOSED, Status.CANCELLED, Status.REJECTED)


class RequestCounter(TenantModel):
    """The last request number handed out in an organization (REQ-000123)."""

    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization"], name="request_counter_org_uniq")
        ]


class Request(TenantModel):
    number = models.PositiveIntegerField(_("编号"))
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="filed_requests",
        verbose_name=_("提交人"),
    )
    requesting_department = models.ForeignKey(
        "departments.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("提出部门"),
    )
    serving_department = models.ForeignKey(
        "departments.Department",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("服务部门"),
    )
    request_type = models.ForeignKey(
        RequestType, on_delete=models.PROTECT, related_name="requests", verbose_name=_("请求类型")
    )
    priority = models.CharField(_("优先级"), max_length=8, choices=Priority.choices)
    title = models.CharField(_("标题"), max_length=200)
    description = models.TextField(_("描述"), blank=True)
    extra = models.JSONField(_("表单内容"), default=dict, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_requests",
        verbose_name=_("处理人"),
    )
    watchers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="RequestWatcher",
        blank=True,
        related_name="watched_requests",
        verbose_name=_("关注人"),
    )
    status = models.CharField(_("状态"), max_length=24, choices=Status.choices, default=Status.NEW)
    status_reason = models.TextField(
        _("状态说明"), blank=True, help_text=_("解决说明、撤回或拒绝原因、等待原因")
    )
    # The customer or deal a request is for is a row of the app that owns
    # them (pipeline's RequestLink), reached through ``catalog.links``.

    created_at = models.DateTimeField(_("提交时间"), default=timezone.now)
    acknowledged_at = models.DateTimeField(_("响应时间"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("解决时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Cache of the current timers (rewritten with them): the earliest due
    # time among running timers and the worst state, so queues sort and
    # filter on indexed columns instead of aggregating timers per row.
    sla_due_at = models.DateTimeField(_("最近到期"), null=True, blank=True)
    sla_state = models.CharField(_("SLA 状态"), max_length=10, choices=SlaState.choices, blank=True)

    history = HistoricalRecords(excluded_fields=["updated_at", "sla_due_at", "sla_state"])

    class Meta:
        verbose_name = _("协作请求")
        verbose_name_plural = _("协作请求")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "number"], name="request_org_number_uniq"
            )
        ]
        indexes = [
            models.Index(
                fields=["organization", "serving_department", "status", "sla_due_at"],
                name="request_queue_idx",
            ),
            models.Index(
                fields=["organization", "requester", "created_at"], name="request_requester_idx"
            ),
            models.Index(
                fields=["organization", "assignee", "status"], name="request_assignee_idx"
            ),
            models.Index(
                fields=["organization", "status", "sla_due_at"], name="request_org_due_idx"
            ),
            # The default queue (open requests, due-first) as an ordered scan:
            # LIMIT 50 reads 50 index entries whatever the queue's length.
            models.Index(
                fields=["organization", "serving_department", "sla_due_at", "created_at", "id"],
                condition=models.Q(status__in=OPEN_STATUSES),
                name="request_open_queue_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def reference(self) -> str:
        return f"REQ-{self.number:06d}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class Comment(TenantModel):
    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("作者")
    )
    body = models.TextField(_("内容"))
    is_internal = models.BooleanField(
        _("内部备注"), default=False, help_text=_("仅服务部门、运营经理和管理员可见")
    )
    mentions = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="CommentMention", blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("评论")
        verbose_name_plural = _("评论")
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(
                fields=["organization", "request", "created_at"], name="comment_request_idx"
            )
        ]

    def __str__(self) -> str:
        return self.body[:50]


class RequestWatcher(TenantModel):
    """Who watches a request (the through table of ``Request.watchers``): add
    with ``through_defaults={"organization_id": request.organization_id}``."""

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "request", "user"], name="request_watcher_uniq"
            )
        ]
        indexes = [models.Index(fields=["organization", "user"], name="request_watcher_user_idx")]


class CommentMention(TenantModel):
    """Who a comment mentions (the through table of ``Comment.mentions``)."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "comment", "user"], name="comment_mention_uniq"
            )
        ]


def attachment_path(instance: Attachment, filename: str) -> str:
    # Never trust the uploaded name on disk: keep only its extension.
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"requests/{instance.organization_id}/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{suffix}"


class Attachment(TenantModel):
    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="attachments")
    comment = models.ForeignKey(
        Comment, on_delete=models.CASCADE, null=True, blank=True, related_name="attachments"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    file = models.FileField(upload_to=attachment_path, max_length=200)
    original_name = models.CharField(_("文件名"), max_length=255)
    size = models.PositiveBigIntegerField(_("大小"))
    content_type = models.CharField(_("文件类型"), max_length=100)
    field_key = models.CharField(
        max_length=48, blank=True, help_text=_("由请求表单的文件字段上传时，记录字段代码")
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["organization", "request"], name="attachment_request_idx")]

    def __str__(self) -> str:
        return self.original_name

    def get_absolute_url(self) -> str:
        """The download view (which checks who may see it); never the
        storage's own URL."""
        return reverse("requests_sla:attachment", args=[self.pk])


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
