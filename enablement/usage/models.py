"""Where library assets meet the rest of Collab: a request fulfilled by an
asset (``AssetFulfilment``) and an asset used with a customer or on a deal
(``AssetUse``). Real foreign keys, owned here: requests_sla and pipeline sit
below and never name these tables (docs/ARCHITECTURE.md, "Links are rows")."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from collab.tenancy import TenantModel
from enablement.library.models import Asset
from pipeline.models import Account, Opportunity
from requests_sla.models import Request


class AssetFulfilment(TenantModel):
    """The asset (at the version published for it) that resolved a request."""

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="+")
    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="fulfilments")
    version = models.PositiveIntegerField(_("版本"))
    fulfilled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("需求交付")
        verbose_name_plural = _("需求交付")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "request", "asset"], name="fulfilment_org_req_asset_uniq"
            )
        ]
        indexes = [
            models.Index(fields=["organization", "request"], name="fulfilment_org_req_idx"),
            models.Index(fields=["organization", "asset"], name="fulfilment_org_asset_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.request_id} ← {self.asset_id} v{self.version}"


class AssetUse(TenantModel):
    """A rep used an asset with a customer, on one deal or on the account."""

    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="uses")
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    opportunity = models.ForeignKey(
        Opportunity, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    version = models.PositiveIntegerField(_("版本"))
    used_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    used_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("资料使用")
        verbose_name_plural = _("资料使用")
        ordering = ["-used_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "asset", "opportunity"],
                condition=Q(opportunity__isnull=False),
                name="assetuse_org_asset_opp_uniq",
            ),
            models.UniqueConstraint(
                fields=["organization", "asset", "account"],
                condition=Q(opportunity__isnull=True),
                name="assetuse_org_asset_account_uniq",
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "asset"], name="assetuse_org_asset_idx"),
            models.Index(fields=["organization", "opportunity"], name="assetuse_org_opp_idx"),
            models.Index(fields=["organization", "account"], name="assetuse_org_account_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.asset_id} → {self.account_id}/{self.opportunity_id}"
