"""Review meetings (跨部门沟通会): agenda, root causes, action items, and lost-deal
post-mortems (因配合延迟丢单的复盘).

A deal lost because a department was late goes on the next review meeting
as ONE agenda item (``AgendaItem`` with no request), led by operations
management. The item lists the late requests with the department answerable
for each and how late they were (a snapshot taken when the post-mortem
opened), and holds one finding per late department: subjective delay
(counted in the department's KPIs), objective resource limit (answered with
action items) or not the cause.

The source of a post-mortem (``source_ref``, e.g. ``pipeline.opportunity:42``)
is unique per organization: losing a deal twice opens one post-mortem.
requests_sla never imports pipeline, so what the meeting shows of the deal is
copied here when it opens."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from collab.tenancy import TenantModel
from departments.models import bilingual


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
    closed_at = models.DateTimeField(pgettext_lazy("meeting", "结束时间"), null=True, blank=True)
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
    # Empty on a lost-deal post-mortem item (``PostMortem`` below),
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


class PostMortemCause(models.TextChoices):
    SUBJECTIVE = "subjective", _("主观拖延")
    OBJECTIVE = "objective", _("客观资源限制")
    NOT_CAUSE = "not_cause", _("非丢单原因")


class PostMortemTrigger(models.TextChoices):
    STATED = "stated", _("丢单原因为配合延迟")
    BREACHED = "breached", _("关联请求超时")


class PostMortem(TenantModel):
    source_ref = models.CharField(max_length=80)
    # One per agenda item, unique with ``organization`` (see Meta).
    agenda_item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="postmortem")
    trigger = models.CharField(_("触发原因"), max_length=10, choices=PostMortemTrigger.choices)
    subject_label = models.CharField(_("丢单商机"), max_length=300)
    subject_url = models.CharField(max_length=300, blank=True)
    subject_amount = models.DecimalField(
        _("金额"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    subject_currency = models.CharField(_("币种"), max_length=3, blank=True)
    reason_zh = models.CharField(max_length=100, blank=True)
    reason_en = models.CharField(max_length=100, blank=True)
    reason_note = models.TextField(_("丢单说明"), blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    opened_at = models.DateTimeField(default=timezone.now)
    # Set when every late department has a finding; cleared if one is added.
    concluded_at = models.DateTimeField(_("复盘完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("丢单复盘")
        verbose_name_plural = _("丢单复盘")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "source_ref"], name="postmortem_source_uniq"
            ),
            models.UniqueConstraint(
                fields=["organization", "agenda_item"], name="postmortem_agenda_item_uniq"
            ),
        ]

    def __str__(self) -> str:
        return self.subject_label

    @property
    def reason(self) -> str:
        return bilingual(self.reason_zh, self.reason_en)

    @property
    def is_concluded(self) -> bool:
        return self.concluded_at is not None


class PostMortemRequest(TenantModel):
    """A late request of the lost deal, as it stood when the post-mortem opened."""

    postmortem = models.ForeignKey(
        PostMortem, on_delete=models.CASCADE, related_name="late_requests"
    )
    request = models.ForeignKey("requests_sla.Request", on_delete=models.CASCADE, related_name="+")
    department = models.ForeignKey(
        "departments.Department",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("责任部门"),
    )
    due_at = models.DateTimeField(_("到期时间"), null=True, blank=True)
    late_minutes = models.PositiveIntegerField(_("超时（分钟）"), default=0)

    class Meta:
        verbose_name = _("复盘涉及的请求")
        verbose_name_plural = _("复盘涉及的请求")
        ordering = ["-late_minutes", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "postmortem", "request"], name="postmortem_request_uniq"
            )
        ]
        indexes = [
            models.Index(fields=["organization", "request"], name="postmortem_request_idx"),
        ]


class PostMortemFinding(TenantModel):
    """The chair's verdict on one late department."""

    postmortem = models.ForeignKey(PostMortem, on_delete=models.CASCADE, related_name="findings")
    department = models.ForeignKey(
        "departments.Department",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("部门"),
    )
    root_cause = models.CharField(
        _("原因分类"), max_length=12, choices=PostMortemCause.choices, blank=True
    )
    note = models.TextField(_("说明"), blank=True)
    classified_at = models.DateTimeField(null=True, blank=True)
    classified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("复盘结论")
        verbose_name_plural = _("复盘结论")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "postmortem", "department"],
                name="postmortem_finding_uniq",
            )
        ]
        indexes = [
            models.Index(
                fields=["organization", "department", "classified_at"],
                name="postmortem_finding_dept_idx",
            )
        ]
