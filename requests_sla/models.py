"""Collaboration requests and SLA timers (see issue 3).

Every table is tenant-owned (``TenantModel``): unique constraints include
``organization`` and composite indexes start with it. Fields documented as a
*cache* are rewritten by ``services.sla`` from the event log; never edit
them by hand.
"""

from __future__ import annotations

import uuid
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from collab.tenancy import TenantModel
from departments.models import bilingual


class Priority(models.TextChoices):
    LOW = "low", _("低")
    NORMAL = "normal", _("普通")
    HIGH = "high", _("高")
    URGENT = "urgent", _("紧急")


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


class SlaState(models.TextChoices):
    ON_TRACK = "on_track", _("正常")
    AT_RISK = "at_risk", _("预警")
    BREACHED = "breached", _("超时")
    PAUSED = "paused", _("已暂停")
    MET = "met", _("已达成")


# ---------------------------------------------------------------- calendars


class BusinessCalendar(TenantModel):
    """Working time of an organization, or of one department (which then wins).

    ``version`` is bumped on every change (ranges, holidays, exceptions); SLA
    timers record the version they were computed with, and the in-process
    cache of built calendars is keyed by (id, version).
    """

    department = models.ForeignKey(
        "departments.Department",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("部门"),
        help_text=_("留空表示全企业通用的日历"),
    )
    name = models.CharField(_("名称"), max_length=100, blank=True)
    timezone = models.CharField(_("时区"), max_length=64, default="Asia/Shanghai")
    weekly = models.JSONField(
        _("每周工作时间"),
        default=dict,
        help_text=_(
            '按星期（0=周一）列出工作时段，如 {"0": [["09:00", "12:00"], ["13:00", "18:00"]]}'
        ),
    )
    use_official_holidays = models.BooleanField(_("使用官方节假日"), default=True)
    country = models.CharField(_("节假日国家/地区"), max_length=2, default="CN")
    version = models.PositiveIntegerField(_("版本"), default=1)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("工作日历")
        verbose_name_plural = _("工作日历")
        constraints = [
            models.UniqueConstraint(
                fields=["organization"],
                condition=models.Q(department__isnull=True),
                name="calendar_one_org_default",
            ),
            models.UniqueConstraint(
                fields=["organization", "department"],
                condition=models.Q(department__isnull=False),
                name="calendar_one_per_department",
            ),
        ]

    def __str__(self) -> str:
        return self.name or str(_("工作日历"))


class ExceptionKind(models.TextChoices):
    HOLIDAY = "holiday", _("节假日")
    WORKDAY = "workday", _("调休上班日")


class CalendarException(TenantModel):
    """A date an admin declares a holiday or a make-up workday; wins over official data."""

    calendar = models.ForeignKey(
        BusinessCalendar, on_delete=models.CASCADE, related_name="exceptions"
    )
    date = models.DateField(_("日期"))
    kind = models.CharField(_("类型"), max_length=8, choices=ExceptionKind.choices)
    name = models.CharField(_("名称"), max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("日历例外")
        verbose_name_plural = _("日历例外")
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "calendar", "date"], name="calendar_exception_date_uniq"
            )
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()}"


# ---------------------------------------------------------------- catalog


class RequestType(TenantModel):
    """What a department can be asked for, with its SLA policy and form.

    ``sla_targets`` is JSON keyed by priority (validated by
    ``forms_schema.validate_sla_targets``)::

        {"normal": {"response": {"unit": "calendar_hours", "amount": 24},
                    "resolution": {"unit": "working_days", "amount": 5},
                    "milestones": [{"key": "feasibility", "name_zh": "…", "name_en": "…",
                                    "unit": "working_days", "amount": 3}]}}

    ``policy_version`` is bumped whenever the targets change; timers snapshot
    the target and the version they were started (or recomputed) with.
    """

    serving_department = models.ForeignKey(
        "departments.Department",
        on_delete=models.PROTECT,
        related_name="request_types",
        verbose_name=_("服务部门"),
    )
    code = models.SlugField(_("代码"), max_length=48)
    name_zh = models.CharField(_("中文名称"), max_length=100)
    name_en = models.CharField(_("英文名称"), max_length=100)
    description_zh = models.TextField(_("说明（中文）"), blank=True)
    description_en = models.TextField(_("说明（英文）"), blank=True)
    priorities = models.JSONField(_("可选优先级"), default=list)
    default_priority = models.CharField(
        _("默认优先级"), max_length=8, choices=Priority.choices, default=Priority.NORMAL
    )
    sla_targets = models.JSONField(_("SLA 时限"), default=dict)
    policy_version = models.PositiveIntegerField(_("策略版本"), default=1)
    form_schema = models.JSONField(_("表单字段"), default=list)
    is_active = models.BooleanField(_("启用"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("请求类型")
        verbose_name_plural = _("请求类型")
        ordering = ["sort_order", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "code"], name="request_type_org_code_uniq"
            )
        ]
        indexes = [
            models.Index(
                fields=["organization", "serving_department", "sort_order"],
                name="request_type_org_dept_idx",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return bilingual(self.name_zh, self.name_en)

    @property
    def description(self) -> str:
        return bilingual(self.description_zh, self.description_en)

    def targets_for(self, priority: str) -> dict:
        return (self.sla_targets or {}).get(priority) or {}


# ---------------------------------------------------------------- requests


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
        blank=True,
        related_name="watched_requests",
        verbose_name=_("关注人"),
    )
    status = models.CharField(_("状态"), max_length=24, choices=Status.choices, default=Status.NEW)
    status_reason = models.TextField(
        _("状态说明"), blank=True, help_text=_("解决说明、撤回或拒绝原因、等待原因")
    )
    # Links to the pipeline app (which imports us, never the reverse): ids only.
    account_id = models.BigIntegerField(_("客户"), null=True, blank=True)
    opportunity_id = models.BigIntegerField(_("商机"), null=True, blank=True)

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
    mentions = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
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


# ---------------------------------------------------------------- SLA


class TimerKind(models.TextChoices):
    RESPONSE = "response", _("响应时限")
    RESOLUTION = "resolution", _("解决时限")
    MILESTONE = "milestone", _("里程碑")


class StopReason(models.TextChoices):
    ACKNOWLEDGED = "acknowledged", _("已响应")
    RESOLVED = "resolved", _("已解决")
    COMPLETED = "completed", _("已完成")
    CANCELLED = "cancelled", _("已撤回")
    REJECTED = "rejected", _("已拒绝")
    TRANSFERRED = "transferred", _("已转派")


class SlaTimer(TenantModel):
    """One SLA clock of a request. Its truth is its ``events``; the fields
    below the snapshot are a cache of ``compute_timer`` over them."""

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="timers")
    kind = models.CharField(_("类型"), max_length=12, choices=TimerKind.choices)
    key = models.SlugField(
        _("代码"), max_length=48, help_text=_("response、resolution 或里程碑代码")
    )
    name_zh = models.CharField(max_length=100, blank=True)
    name_en = models.CharField(max_length=100, blank=True)
    # Snapshot of the policy the timer runs under.
    unit = models.CharField(_("单位"), max_length=16)
    amount = models.DecimalField(_("时限"), max_digits=8, decimal_places=2)
    policy_version = models.PositiveIntegerField(default=1)
    calendar = models.ForeignKey(
        BusinessCalendar, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    calendar_version = models.PositiveIntegerField(default=1)
    started_at = models.DateTimeField()
    # A transfer closes the old timers and starts fresh ones; the old ones
    # stay for the record (was the first department late?).
    superseded_at = models.DateTimeField(null=True, blank=True)
    stop_reason = models.CharField(max_length=12, choices=StopReason.choices, blank=True)

    # Cache of compute_timer(...).
    due_at = models.DateTimeField(_("到期时间"), null=True, blank=True)
    state = models.CharField(_("状态"), max_length=10, choices=SlaState.choices)
    at_risk_at = models.DateTimeField(null=True, blank=True)
    next_check_at = models.DateTimeField(
        null=True, blank=True, help_text=_("状态下一次可能变化的时刻；已停止或暂停时为空")
    )
    breached_at = models.DateTimeField(null=True, blank=True)
    met = models.BooleanField(null=True)
    stopped_at = models.DateTimeField(null=True, blank=True)
    paused = models.BooleanField(default=False)
    elapsed_minutes = models.IntegerField(default=0)
    budget_minutes = models.IntegerField(default=0)
    remaining_minutes = models.IntegerField(default=0)
    provisional = models.BooleanField(default=False)
    computed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("SLA 计时器")
        verbose_name_plural = _("SLA 计时器")
        ordering = ["started_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "request", "key"],
                condition=models.Q(superseded_at__isnull=True),
                name="sla_timer_current_key_uniq",
            )
        ]
        indexes = [
            models.Index(fields=["organization", "next_check_at"], name="sla_timer_next_check_idx"),
            models.Index(fields=["organization", "request"], name="sla_timer_request_idx"),
            models.Index(fields=["organization", "state", "due_at"], name="sla_timer_state_idx"),
            # The escalation sweep reads due timers across organizations.
            models.Index(
                fields=["next_check_at"],
                condition=models.Q(next_check_at__isnull=False),
                name="sla_timer_sweep_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.request_id}:{self.key}"

    @property
    def name(self) -> str:
        if self.kind == TimerKind.MILESTONE:
            return bilingual(self.name_zh, self.name_en) or self.key
        return str(TimerKind(self.kind).label)

    @property
    def is_open(self) -> bool:
        return self.stopped_at is None and self.superseded_at is None


class SlaEventKind(models.TextChoices):
    START = "start", _("开始计时")
    PAUSE = "pause", _("暂停计时")
    RESUME = "resume", _("恢复计时")
    STOP = "stop", _("停止计时")
    RECALCULATED = "recalculated", _("重新计算")


class SlaEvent(TenantModel):
    """Append-only log of a timer. ``recalculated`` rows record a policy or
    calendar change and do not feed the computation."""

    timer = models.ForeignKey(SlaTimer, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=12, choices=SlaEventKind.choices)
    at = models.DateTimeField()
    reason = models.CharField(max_length=500, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    calendar_version = models.PositiveIntegerField(default=1)
    policy_version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("SLA 事件")
        verbose_name_plural = _("SLA 事件")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["organization", "timer", "at"], name="sla_event_timer_idx")]

    def __str__(self) -> str:
        return f"{self.kind} @ {self.at}"


# ---------------------------------------------------------------- notifications


class NotificationKind(models.TextChoices):
    MENTION = "mention", _("被提及")
    ASSIGNED = "assigned", _("被指派")
    # Escalation ladder and review meetings (models_escalation).
    SLA_AT_RISK = "sla_at_risk", _("SLA 预警")
    SLA_BREACHED = "sla_breached", _("SLA 超时")
    SLA_FOLLOW_UP = "sla_follow_up", _("超时仍未解决")
    MEETING = "meeting", _("沟通会")
    LEAD = "lead", _("复购增购线索")


class Notification(TenantModel):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="collab_notifications"
    )
    kind = models.CharField(max_length=16, choices=NotificationKind.choices)
    request = models.ForeignKey(
        Request, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    text = models.CharField(max_length=300)
    # The page it opens when it is not about a request (a lead, a meeting):
    # a path on this site, never an outside address.
    link = models.CharField(max_length=300, blank=True, default="")
    read_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at"]
        indexes = [
            models.Index(
                fields=["organization", "recipient", "read_at"], name="notification_inbox_idx"
            )
        ]

    def __str__(self) -> str:
        return self.text


from .models_dashboard import *  # noqa: E402,F401,F403
from .models_escalation import *  # noqa: E402,F401,F403
from .models_postmortem import *  # noqa: E402,F401,F403
