"""Products (产品) and versioned price lists (定价表).

A price list is a draft until Product Management publishes it; a published
list is frozen (its items never change again), so a quote that copied its
prices keeps them. One published list per (tier, currency) is current for a
date: publishing a list that starts on D closes the previous current one on
D - 1 (``services.price_list_publish``). A key-account tier list overrides
the standard one where it has the product.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from collab.money import amount_field, currency_field
from collab.tenancy import TenantModel
from departments.models import bilingual


class Unit(models.TextChoices):
    SET = "set", _("套")
    YEAR = "year", _("年")
    SEAT = "seat", _("人")
    TIME = "time", _("次")
    DAY = "day", _("人天")


class Category(models.TextChoices):
    LICENCE = "licence", _("软件许可")
    SERVICE = "service", _("实施服务")
    TRAINING = "training", _("培训")
    SUPPORT = "support", _("支持服务")


class Product(TenantModel):
    code = models.SlugField(_("产品编码"), max_length=40)
    name_zh = models.CharField(_("中文名称"), max_length=120)
    name_en = models.CharField(_("英文名称"), max_length=120, blank=True)
    description_zh = models.TextField(_("中文说明"), blank=True)
    description_en = models.TextField(_("英文说明"), blank=True)
    unit = models.CharField(_("单位"), max_length=8, choices=Unit.choices)
    category = models.CharField(_("类别"), max_length=12, choices=Category.choices)
    # An option (add-on) is sold only with its base product.
    base_product = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="options",
        verbose_name=_("基础产品"),
    )
    is_active = models.BooleanField(_("在售"), default=True)

    class Meta:
        verbose_name = _("产品")
        verbose_name_plural = pgettext_lazy("plural", "产品")
        ordering = ["category", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "code"], name="pricing_product_code_uniq"
            ),
            models.CheckConstraint(
                condition=~Q(base_product=F("id")), name="pricing_product_not_own_base"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def name(self) -> str:
        return bilingual(self.name_zh, self.name_en)

    @property
    def description(self) -> str:
        return bilingual(self.description_zh, self.description_en)


class Tier(models.TextChoices):
    STANDARD = "standard", _("标准价")
    KEY_ACCOUNT = "key_account", _("重点客户价")


class PriceListState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")


class PriceList(TenantModel):
    name = models.CharField(_("名称"), max_length=120)
    tier = models.CharField(
        _("客户等级"), max_length=12, choices=Tier.choices, default=Tier.STANDARD
    )
    currency = currency_field()
    version = models.PositiveIntegerField(_("版本"))
    effective_from = models.DateField(_("生效日期"))
    effective_to = models.DateField(_("失效日期"), null=True, blank=True)
    state = models.CharField(
        _("状态"), max_length=10, choices=PriceListState.choices, default=PriceListState.DRAFT
    )
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("定价表")
        verbose_name_plural = pgettext_lazy("plural", "定价表")
        ordering = ["tier", "-effective_from", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "tier", "currency", "version"],
                name="pricing_price_list_version_uniq",
            ),
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True) | Q(effective_to__gte=F("effective_from")),
                name="pricing_price_list_range",
            ),
        ]
        indexes = [
            models.Index(
                fields=["organization", "state", "tier", "currency", "effective_from"],
                name="pricing_price_list_current_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} V{self.version}"

    @property
    def is_draft(self) -> bool:
        return self.state == PriceListState.DRAFT


class PriceListItem(TenantModel):
    price_list = models.ForeignKey(PriceList, on_delete=models.CASCADE, related_name="items")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    list_price = amount_field(_("目录价"))
    floor_price = amount_field(_("底价"))

    class Meta:
        verbose_name = _("定价")
        verbose_name_plural = _("定价")
        ordering = ["product__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "price_list", "product"], name="pricing_item_uniq"
            ),
            models.CheckConstraint(
                condition=Q(floor_price__lte=F("list_price")), name="pricing_item_floor_le_list"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product_id}: {self.list_price}"


class PricingPolicy(TenantModel):
    """The organization's quoting rules: its VAT rate and the discount a rep
    may give without approval; a deeper one goes to Finance (and, over the
    second threshold, on to the next step of the discount approval chain)."""

    vat_rate = models.DecimalField(_("增值税率（%）"), max_digits=5, decimal_places=2, default=13)
    rep_discount_limit = models.DecimalField(
        _("销售折扣权限（%）"), max_digits=5, decimal_places=2, default=10
    )
    validity_days = models.PositiveSmallIntegerField(_("默认有效天数"), default=30)

    class Meta:
        verbose_name = _("报价规则")
        verbose_name_plural = _("报价规则")
        constraints = [
            models.UniqueConstraint(fields=["organization"], name="pricing_policy_org_uniq")
        ]

    def __str__(self) -> str:
        return f"VAT {self.vat_rate}%"
