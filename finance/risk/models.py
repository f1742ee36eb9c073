"""Payment-risk warnings (风险预警): one row per rule and subject, ever.

``key`` names what the warning is about (an invoice, an account, a deal) and
the unique (organization, rule, key) makes every warning raised exactly once,
however often the nightly task runs or however many run at once (insert ...
on conflict do nothing). ``facts`` holds the figures the reason is worded from
in the reader's language. ``RiskRun`` remembers when an organization was last
evaluated, so the next run reads only what changed since.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from collab.tenancy import TenantModel


class Rule(models.TextChoices):
    OVERDUE = "overdue", _("发票逾期")
    LATE_PAYER = "late_payer", _("历史逾期付款")
    PARTIAL = "partial", _("部分付款")
    CONCENTRATION = "concentration", _("应收集中")
    NO_PLAN = "no_plan", _("赢单无回款计划")


class WarningState(models.TextChoices):
    OPEN = "open", _("待处理")
    ACKNOWLEDGED = "acknowledged", _("已知悉")
    RESOLVED = "resolved", _("已解决")


class RiskWarning(TenantModel):
    rule = models.CharField(_("规则"), max_length=16, choices=Rule.choices)
    key = models.CharField(max_length=64)
    account = models.ForeignKey(
        "pipeline.Account", on_delete=models.CASCADE, related_name="+", verbose_name=_("客户")
    )
    opportunity = models.ForeignKey(
        "pipeline.Opportunity", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    invoice = models.ForeignKey(
        "finance.Invoice", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    facts = models.JSONField(default=dict)
    state = models.CharField(
        _("状态"), max_length=12, choices=WarningState.choices, default=WarningState.OPEN
    )
    note = models.TextField(_("备注"), blank=True)
    acted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    acted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("风险预警")
        verbose_name_plural = _("风险预警")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "rule", "key"], name="risk_warning_once_uniq"
            )
        ]
        indexes = [
            models.Index(fields=["organization", "account", "state"], name="risk_account_idx"),
            models.Index(fields=["organization", "owner", "state"], name="risk_owner_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.rule}:{self.key}"


class RiskRun(TenantModel):
    ran_at = models.DateTimeField()
    full = models.BooleanField(default=False)
    raised = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-ran_at"]
        indexes = [models.Index(fields=["organization", "ran_at"], name="risk_run_idx")]

    def __str__(self) -> str:
        return f"{self.ran_at}"
