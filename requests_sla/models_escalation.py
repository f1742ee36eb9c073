"""Escalation ladder, review meetings and notification delivery (issue 4).

Imported at the end of ``models.py``. Every table is tenant-owned; unique
constraints include ``organization`` and composite indexes start with it.
Two single-column partial indexes serve the cross-organization sweeps
(pending deliveries); they are small because they hold only pending rows.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from collab.tenancy import TenantModel

__all__ = [
    "ActionItem",
    "AgendaItem",
    "DeliveryState",
    "EscalationLevel",
    "EscalationPolicy",
    "EscalationStep",
    "MeetingParticipant",
    "MeetingStatus",
    "NotificationDelivery",
    "ReviewMeeting",
    "RootCause",
    "WebhookDelivery",
    "WebhookEndpoint",
    "WebhookFormat",
]


class EscalationLevel(models.IntegerChoices):
    AT_RISK = 1, _("预警")
    BREACHED = 2, _("超时上会")
    FOLLOW_UP = 3, _("超时未解决")


class EscalationPolicy(TenantModel):
    """The organization's ladder settings (one row, created with defaults).

    The at-risk threshold is the SLA engine's (75% of a timer's budget), so
    the ladder's level 1 and the queue's amber band always agree.
    """

    notify_at_risk = models.BooleanField(_("预警时通知处理人和部门负责人"), default=True)
    meeting_window_days = models.PositiveSmallIntegerField(
        _("沟通会窗口（工作日）"),
        default=5,
        help_text=_("该期限内已有安排的沟通会就直接上会，否则在下一个工作日新建一场"),
    )
    meeting_time = models.TimeField(_("新建沟通会的时间"), default=dt.time(10, 0))
    meeting_duration_minutes = models.PositiveSmallIntegerField(_("会议时长（分钟）"), default=60)
    follow_up_hours = models.PositiveSmallIntegerField(
        _("超时后多少工作小时仍未解决再次升级"), default=8
    )
    raise_priority = models.BooleanField(_("再次升级时提高优先级"), default=True)
    email_off_hours = models.BooleanField(
        _("非工作时间也发送邮件"), default=False, help_text=_("默认在下一个工作时间再发送")
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("升级策略")
        verbose_name_plural = _("升级策略")
        constraints = [
            models.UniqueConstraint(fields=["organization"], name="escalation_policy_org_uniq")
        ]

    def __str__(self) -> str:
        return str(_("升级策略"))


class EscalationStep(TenantModel):
    """One rung of the ladder taken for one timer. The unique constraint is
    what makes the sweep exactly-once, whatever runs it and how often."""

    request = models.ForeignKey(
        "requests_sla.Request", on_delete=models.CASCADE, related_name="escalations"
    )
    timer = models.ForeignKey(
        "requests_sla.SlaTimer", on_delete=models.CASCADE, related_name="escalations"
    )
    level = models.PositiveSmallIntegerField(_("级别"), choices=EscalationLevel.choices)
    fired_at = models.DateTimeField(_("升级时间"))
    # When the threshold was crossed (at_risk_at, due_at, breach + N hours);
    # fired_at - threshold_at is how late the sweep was.
    threshold_at = models.DateTimeField(null=True, blank=True)
    meeting = models.ForeignKey(
        "requests_sla.ReviewMeeting",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # A level recorded together with a higher one (e.g. the at-risk rung of a
    # timer found already breached): no separate notification was sent.
    caught_up = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("升级记录")
        verbose_name_plural = _("升级记录")
        ordering = ["fired_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "request", "timer", "level"], name="escalation_step_uniq"
            )
        ]
        indexes = [
            models.Index(fields=["organization", "fired_at"], name="escalation_step_fired_idx"),
            models.Index(fields=["organization", "timer"], name="escalation_step_timer_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.request_id}:{self.timer_id}:L{self.level}"


class MeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("待召开")
    CLOSED = "closed", _("已结束")
    CANCELLED = "cancelled", _("已取消")


class ReviewMeeting(TenantModel):
    """A cross-department review meeting (跨部门沟通会 / 复盘会)."""

    title = models.CharField(_("会议名称"), max_length=200)
    scheduled_at = models.DateTimeField(_("会议时间"))
    duration_minutes = models.PositiveSmallIntegerField(_("时长（分钟）"), default=60)
    location = models.CharField(_("地点"), max_length=200, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=MeetingStatus.choices, default=MeetingStatus.SCHEDULED
    )
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("主持人"),
    )
    created_by_escalation = models.BooleanField(default=False)
    summary = models.TextField(_("会议结论"), blank=True)
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("跨部门沟通会")
        verbose_name_plural = _("跨部门沟通会")
        ordering = ["-scheduled_at"]
        indexes = [
            models.Index(
                fields=["organization", "status", "scheduled_at"], name="meeting_org_status_idx"
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status == MeetingStatus.SCHEDULED


class MeetingParticipant(TenantModel):
    meeting = models.ForeignKey(
        ReviewMeeting, on_delete=models.CASCADE, related_name="participants"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(
        max_length=24, blank=True
    )  # serving_head, requesting_head, ops, chair

    class Meta:
        verbose_name = _("参会人")
        verbose_name_plural = _("参会人")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "meeting", "user"], name="meeting_participant_uniq"
            )
        ]
        indexes = [
            models.Index(fields=["organization", "user"], name="meeting_participant_user_idx")
        ]


class RootCause(models.TextChoices):
    SUBJECTIVE = "subjective", _("主观拖延")
    OBJECTIVE = "objective", _("客观资源限制")
    REQUESTER = "requester", _("提交方原因")
    OTHER = "other", _("其他")


class AgendaItem(TenantModel):
    meeting = models.ForeignKey(ReviewMeeting, on_delete=models.CASCADE, related_name="agenda")
    # Empty on a lost-deal post-mortem item (models_postmortem.PostMortem),
    # which lists its late requests and departments itself.
    request = models.ForeignKey(
        "requests_sla.Request",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="agenda_items",
    )
    # The department answerable for the delay (the serving one when it went
    # on the agenda; a later transfer does not move the blame).
    department = models.ForeignKey(
        "departments.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("责任部门"),
    )
    added_at = models.DateTimeField(default=timezone.now)
    by_escalation = models.BooleanField(default=True)
    root_cause = models.CharField(
        _("原因分类"), max_length=12, choices=RootCause.choices, blank=True
    )
    note = models.TextField(_("说明"), blank=True)
    classified_at = models.DateTimeField(null=True, blank=True)
    classified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("议程")
        verbose_name_plural = _("议程")
        ordering = ["added_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "meeting", "request"], name="agenda_item_uniq"
            )
        ]
        indexes = [
            models.Index(
                fields=["organization", "department", "classified_at"], name="agenda_dept_idx"
            ),
            models.Index(fields=["organization", "request"], name="agenda_request_idx"),
        ]


class ActionItem(TenantModel):
    agenda_item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="actions")
    # On a post-mortem item: the department finding the action answers.
    finding = models.ForeignKey(
        "requests_sla.PostMortemFinding",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="actions",
    )
    title = models.CharField(_("改进措施"), max_length=300)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("负责人"),
    )
    due_date = models.DateField(_("截止日期"))
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("改进措施")
        verbose_name_plural = _("改进措施")
        ordering = ["due_date", "id"]
        indexes = [
            models.Index(
                fields=["organization", "owner", "done_at", "due_date"], name="action_owner_idx"
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_overdue(self) -> bool:
        return self.done_at is None and self.due_date < timezone.localdate()


# ---------------------------------------------------------------- delivery


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("待发送")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("发送失败")
    SKIPPED = "skipped", _("未发送")


class NotificationDelivery(TenantModel):
    """Email outbox row of one notification; ``deliver_after`` holds it for
    the next working minute (quiet hours)."""

    notification = models.ForeignKey(
        "requests_sla.Notification", on_delete=models.CASCADE, related_name="deliveries"
    )
    channel = models.CharField(max_length=12, default="email")
    state = models.CharField(
        max_length=8, choices=DeliveryState.choices, default=DeliveryState.PENDING
    )
    deliver_after = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "notification", "channel"],
                name="notification_delivery_uniq",
            )
        ]
        indexes = [
            models.Index(
                fields=["deliver_after"],
                condition=models.Q(state="pending"),
                name="notification_delivery_due_idx",
            )
        ]


class WebhookFormat(models.TextChoices):
    GENERIC = "generic", _("通用 JSON")
    DINGTALK = "dingtalk", _("钉钉机器人")
    WECOM = "wecom", _("企业微信机器人")
    FEISHU = "feishu", _("飞书机器人")


class WebhookEndpoint(TenantModel):
    url = models.URLField(_("地址"), max_length=500)
    secret = models.CharField(_("签名密钥"), max_length=200, blank=True)
    format = models.CharField(
        _("消息格式"), max_length=10, choices=WebhookFormat.choices, default=WebhookFormat.GENERIC
    )
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("Webhook")
        verbose_name_plural = _("Webhook")
        constraints = [
            models.UniqueConstraint(fields=["organization"], name="webhook_endpoint_org_uniq")
        ]

    def __str__(self) -> str:
        return self.url


class WebhookDelivery(TenantModel):
    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event_key = models.CharField(max_length=80)  # idempotency key, also sent as a header
    payload = models.JSONField()
    state = models.CharField(
        max_length=8, choices=DeliveryState.choices, default=DeliveryState.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    last_status = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "endpoint", "event_key"], name="webhook_delivery_uniq"
            )
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(state="pending"),
                name="webhook_delivery_due_idx",
            )
        ]
