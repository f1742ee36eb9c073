"""Customers (客户) and their contacts."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from collab.tenancy import TenantModel


class Industry(models.TextChoices):
    MANUFACTURING = "manufacturing", _("制造业")
    RETAIL = "retail", _("零售与消费")
    FINANCE = "finance", _("金融")
    HEALTHCARE = "healthcare", _("医疗健康")
    EDUCATION = "education", _("教育")
    TECHNOLOGY = "technology", _("互联网与科技")
    LOGISTICS = "logistics", _("物流")
    ENERGY = "energy", _("能源")
    GOVERNMENT = "government", _("政府与公共事业")
    OTHER = "other", _("其他")


class AccountSize(models.TextChoices):
    SMALL = "small", _("小型（<100人）")
    MEDIUM = "medium", _("中型（100–999人）")
    LARGE = "large", _("大型（1000–9999人）")
    ENTERPRISE = "enterprise", _("超大型（≥10000人）")


class Account(TenantModel):
    """A customer (客户)."""

    name = models.CharField(_("客户名称"), max_length=200)
    industry = models.CharField(_("行业"), max_length=24, choices=Industry.choices)
    size = models.CharField(_("规模"), max_length=16, choices=AccountSize.choices)
    is_key_account = models.BooleanField(_("重点客户"), default=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="pipeline_accounts",
        verbose_name=_("负责销售"),
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("客户")
        verbose_name_plural = pgettext_lazy("plural", "客户")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="account_org_name_uniq")
        ]
        indexes = [
            models.Index(fields=["organization", "owner"], name="account_org_owner_idx"),
            models.Index(fields=["organization", "industry"], name="account_org_industry_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("pipeline:account_detail", args=[self.pk])


class Contact(TenantModel):
    account = models.ForeignKey(
        Account, on_delete=models.CASCADE, related_name="contacts", verbose_name=_("客户")
    )
    name = models.CharField(_("姓名"), max_length=100)
    title = models.CharField(_("职务"), max_length=100, blank=True)
    phone = models.CharField(_("电话"), max_length=40, blank=True)
    email = models.EmailField(_("邮箱"), blank=True)

    class Meta:
        verbose_name = _("联系人")
        verbose_name_plural = _("联系人")
        ordering = ["name"]
        indexes = [models.Index(fields=["organization", "account"], name="contact_org_account_idx")]

    def __str__(self) -> str:
        return self.name
