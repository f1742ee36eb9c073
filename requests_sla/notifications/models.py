"""In-app notifications and their delivery outboxes (email, the organization's webhook).

Two single-column partial indexes serve the cross-organization flushes
(pending deliveries); they are small because they hold only pending rows."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from collab.tenancy import TenantModel
from requests_sla.notifications.texts import notification_text


class NotificationKind(models.TextChoices):
    MENTION = "mention", _("被提及")
    ASSIGNED = "assigned", _("被指派")
    # The escalation ladder and review meetings.
    SLA_AT_RISK = "sla_at_risk", _("SLA 预警")
    SLA_BREACHED = "sla_breached", _("SLA 超时")
    SLA_FOLLOW_UP = "sla_follow_up", _("超时仍未解决")
    MEETING = "meeting", _("沟通会")
    LEAD = "lead", _("复购增购线索")
    # The everyday flow of a request.
    QUESTION = "question", _("待你补充")
    RESOLVED = "resolved", _("已解决")
    REJECTED = "rejected", _("已拒绝")
    REPLIED = "replied", _("提交方已回复")
    NEW_REQUEST = "new_request", _("新请求")
    APPROVAL = "approval", _("审批")
    # What the apps above requests_sla tell people (their own constants name
    # these values: finance's risk warnings, enablement's library, pricing's
    # price changes), so the inbox shows a word, not the raw value.
    PAYMENT_RISK = "payment_risk", _("回款风险")
    ASSET_READY = "asset_ready", _("资料已交付")
    ASSET_VERSION = "asset_version", _("资料新版本")
    PRICE_CHANGE = "price_change", _("价格变动")


class Notification(TenantModel):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="collab_notifications"
    )
    kind = models.CharField(max_length=16, choices=NotificationKind.choices)
    request = models.ForeignKey(
        "requests_sla.Request", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    # The facts the text is built from, in the reader's language, when it is
    # read (``texts``); ``text`` is the creation-time wording, kept as the
    # fallback for kinds without a renderer.
    params = models.JSONField(default=dict, blank=True)
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
        return self.display_text

    @property
    def display_text(self) -> str:
        """The text in the active language (see ``texts``)."""
        return notification_text(self.kind, self.params, self.text)


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
