"""Lost-deal post-mortems (因配合延迟丢单的复盘, issue 6).

Imported at the end of ``models.py``. A deal lost because a department was
late goes on the next review meeting as ONE agenda item (``AgendaItem`` with
no request), led by operations management. The item lists the late requests
with the department answerable for each and how late they were (a snapshot
taken when the post-mortem opened), and holds one finding per late
department: subjective delay (counted in the department's KPIs), objective
resource limit (answered with action items) or not the cause.

The source of a post-mortem (``source_ref``, e.g. ``pipeline.opportunity:42``)
is unique per organization: losing a deal twice opens one post-mortem.
requests_sla never imports pipeline, so what the meeting shows of the deal is
copied here when it opens.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from collab.tenancy import TenantModel
from departments.models import bilingual

from .models_escalation import AgendaItem

__all__ = [
    "PostMortem",
    "PostMortemCause",
    "PostMortemFinding",
    "PostMortemRequest",
    "PostMortemTrigger",
]


class PostMortemCause(models.TextChoices):
    SUBJECTIVE = "subjective", _("主观拖延")
    OBJECTIVE = "objective", _("客观资源限制")
    NOT_CAUSE = "not_cause", _("非丢单原因")


class PostMortemTrigger(models.TextChoices):
    STATED = "stated", _("丢单原因为配合延迟")
    BREACHED = "breached", _("关联请求超时")


class PostMortem(TenantModel):
    source_ref = models.CharField(max_length=80)
    agenda_item = models.OneToOneField(
        AgendaItem, on_delete=models.CASCADE, related_name="postmortem"
    )
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
            )
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
