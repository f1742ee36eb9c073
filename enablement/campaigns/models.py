"""Campaigns (市场活动): what Marketing plans (a solution page launch, a
webinar, an event, a content push) for an industry or a pain point, with its
dates, budget, the library assets it uses and produces and the accounts it
targets; and the responses it drew (registrations, attendance, downloads).

A response from a known account may become a lead in pipeline's leads flow
(source "campaign"); ``CampaignResponse.lead`` is the link, owned here:
pipeline never names these tables (docs/ARCHITECTURE.md, "Links are rows").
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from collab.money import amount_field, currency_field
from collab.tenancy import TenantModel
from departments.models import Department, bilingual
from enablement.library.models import Asset
from pipeline.models import Account, Lead


class CampaignKind(models.TextChoices):
    SOLUTION_LAUNCH = "solution_launch", _("解决方案页发布")
    WEBINAR = "webinar", _("线上研讨会")
    EVENT = "event", _("线下活动")
    CONTENT_PUSH = "content_push", _("内容推广")


class AssetRole(models.TextChoices):
    USED = "used", _("使用的资料")
    PRODUCED = "produced", _("产出的资料")


class ResponseKind(models.TextChoices):
    REGISTRATION = "registration", _("报名")
    ATTENDANCE = "attendance", _("参加")
    DOWNLOAD = "download", _("下载")


class Campaign(TenantModel):
    kind = models.CharField(_("类型"), max_length=16, choices=CampaignKind.choices)
    title_zh = models.CharField(_("中文名称"), max_length=200)
    title_en = models.CharField(_("英文名称"), max_length=200, blank=True)
    description = models.TextField(_("说明"), max_length=5000, blank=True)
    # An industry code of pipeline's Industry ("" for any) and a pain point tag.
    industry = models.CharField(_("行业"), max_length=24, blank=True)
    pain_point = models.CharField(_("痛点"), max_length=40, blank=True)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    budget = amount_field(_("预算"))
    currency = currency_field()
    owner_department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="+", verbose_name=_("所属部门")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("市场活动")
        verbose_name_plural = pgettext_lazy("plural", "市场活动")
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="campaign_period")
        ]
        indexes = [
            models.Index(fields=["organization", "starts_on"], name="campaign_org_start_idx")
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return bilingual(self.title_zh, self.title_en or self.title_zh)

    def get_absolute_url(self) -> str:
        return reverse("enablement:campaign", args=[self.pk])


class CampaignAsset(TenantModel):
    """A library asset the campaign uses or produces."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="asset_links")
    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="+")
    role = models.CharField(_("用途"), max_length=10, choices=AssetRole.choices)

    class Meta:
        verbose_name = _("活动资料")
        verbose_name_plural = _("活动资料")
        ordering = ["role", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "campaign", "asset", "role"],
                name="campaignasset_org_uniq",
            )
        ]


class CampaignTarget(TenantModel):
    """An account the campaign targets."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="targets")
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("目标客户")
        verbose_name_plural = _("目标客户")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "campaign", "account"], name="campaigntarget_org_uniq"
            )
        ]


class CampaignResponse(TenantModel):
    """A registration, attendance or download; ``account`` when the
    respondent's company is a known account, ``lead`` once it became one."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="responses")
    kind = models.CharField(_("类型"), max_length=16, choices=ResponseKind.choices)
    responded_on = models.DateField(_("日期"))
    name = models.CharField(_("姓名"), max_length=100)
    email = models.EmailField(_("邮箱"), blank=True)
    company = models.CharField(_("公司"), max_length=200, blank=True)
    account = models.ForeignKey(
        Account, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    lead = models.ForeignKey(
        Lead, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("活动响应")
        verbose_name_plural = _("活动响应")
        ordering = ["-responded_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "lead"],
                condition=Q(lead__isnull=False),
                name="campaignresponse_org_lead_uniq",
            )
        ]
        indexes = [
            models.Index(fields=["organization", "campaign"], name="campresp_org_campaign_idx"),
            models.Index(fields=["organization", "lead"], name="campresp_org_lead_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.name} · {self.get_kind_display()}"
