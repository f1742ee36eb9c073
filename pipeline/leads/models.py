"""Repeat-purchase and upsell leads (复购增购线索) from Customer Success."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from collab.tenancy import TenantModel
from pipeline.accounts.models import Account
from pipeline.followups.models import FollowUp
from pipeline.opportunities.models import Opportunity


class LeadSource(models.TextChoices):
    FOLLOW_UP = "follow_up", _("回访")
    SERVICE_RECORD = "service_record", _("服务记录")
    OTHER = "other", _("其他")
    CAMPAIGN = "campaign", _("市场活动")


class LeadKind(models.TextChoices):
    REPEAT = "repeat", _("复购")
    UPSELL = "upsell", _("增购")
    RENEWAL = "renewal", _("续约")
    REFERRAL = "referral", _("转介绍")


class LeadStatus(models.TextChoices):
    NEW = "new", _("新线索")
    ACCEPTED = "accepted", _("已接受")
    REJECTED = "rejected", _("已拒绝")
    CONVERTED = "converted", _("已转商机")


class Lead(TenantModel):
    """A repeat-purchase or upsell lead (复购增购线索) from Customer Success."""

    account = models.ForeignKey(
        Account, on_delete=models.CASCADE, related_name="leads", verbose_name=_("客户")
    )
    source = models.CharField(_("来源"), max_length=16, choices=LeadSource.choices)
    kind = models.CharField(_("类型"), max_length=16, choices=LeadKind.choices)
    estimated_amount = models.DecimalField(
        _("预估金额"), max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    description = models.TextField(_("描述"))
    follow_up = models.ForeignKey(
        FollowUp,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="leads",
        verbose_name=_("来自回访"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(
        _("状态"), max_length=16, choices=LeadStatus.choices, default=LeadStatus.NEW
    )
    reject_reason = models.TextField(_("拒绝原因"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    # One lead per deal, within the organization (a unique rule without
    # ``organization`` could not be enforced on a table distributed by it).
    opportunity = models.ForeignKey(
        Opportunity,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="lead",
        verbose_name=_("转化的商机"),
    )
    # The in-app notice to the account owner: the rep's leads page lists
    # the new leads notified to them.
    owner_notified_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("复购增购线索")
        verbose_name_plural = pgettext_lazy("plural", "复购增购线索")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "opportunity"], name="lead_org_opportunity_uniq"
            )
        ]
        indexes = [
            models.Index(
                fields=["organization", "status", "created_at"], name="lead_org_status_idx"
            ),
            models.Index(fields=["organization", "account"], name="lead_org_account_idx"),
            models.Index(fields=["organization", "created_at"], name="lead_org_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.account_id}"
