"""Customer-success touches: visits, calls and surveys, with satisfaction."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from collab.tenancy import TenantModel
from pipeline.accounts.models import Account


class FollowUpKind(models.TextChoices):
    VISIT = "visit", _("拜访")
    CALL = "call", _("电话")
    SURVEY = "survey", _("问卷")


class FollowUp(TenantModel):
    """A customer-success touch: visit, call or survey, with satisfaction."""

    account = models.ForeignKey(
        Account, on_delete=models.CASCADE, related_name="follow_ups", verbose_name=_("客户")
    )
    # The collaboration request this follows up on (one linked to the account).
    request = models.ForeignKey(
        "requests_sla.Request",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("协作请求编号"),
    )
    kind = models.CharField(_("方式"), max_length=16, choices=FollowUpKind.choices)
    scheduled_for = models.DateTimeField(_("计划时间"))
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    csat = models.PositiveSmallIntegerField(
        _("满意度（1–5）"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    comment = models.TextField(_("客户反馈"), blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("执行人"),
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("回访")
        verbose_name_plural = _("回访")
        ordering = ["-scheduled_for"]
        constraints = [
            models.CheckConstraint(
                condition=Q(csat__isnull=True) | Q(csat__gte=1, csat__lte=5),
                name="followup_csat_1_5",
            )
        ]
        indexes = [
            models.Index(
                fields=["organization", "account", "done_at"], name="followup_org_account_idx"
            ),
            models.Index(fields=["organization", "done_at"], name="followup_org_done_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.account_id}"
