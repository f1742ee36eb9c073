"""Promotion bundles (促销方案): products with quantities sold together for a
period at a bundle price, to eligible customers, with a stacking rule.

``library_url`` is the link field kept ready for the enablement library (the
comparison sheet's published copy); pricing never imports enablement.
"""

from __future__ import annotations

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from collab.money import amount_field, currency_field
from collab.tenancy import TenantModel
from departments.models import bilingual
from pricing.catalog.models import Product


class CustomerKind(models.TextChoices):
    ANY = "any", _("新老客户均可")
    NEW = "new", _("仅新客户")
    EXISTING = "existing", _("仅老客户")


class BundleState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")


class Bundle(TenantModel):
    code = models.SlugField(_("方案编码"), max_length=40)
    name_zh = models.CharField(_("中文名称"), max_length=120)
    name_en = models.CharField(_("英文名称"), max_length=120, blank=True)
    period_label = models.CharField(_("活动周期"), max_length=60, blank=True)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    currency = currency_field()
    bundle_price = amount_field(_("方案价"))
    # Eligibility: empty lists mean "every industry / every size".
    industries = ArrayField(models.CharField(max_length=24), default=list, blank=True)
    sizes = ArrayField(models.CharField(max_length=16), default=list, blank=True)
    customer_kind = models.CharField(
        _("适用客户"), max_length=10, choices=CustomerKind.choices, default=CustomerKind.ANY
    )
    stackable = models.BooleanField(_("可叠加整单折扣"), default=False)
    state = models.CharField(
        _("状态"), max_length=10, choices=BundleState.choices, default=BundleState.DRAFT
    )
    library_url = models.URLField(_("资料库链接"), blank=True)

    class Meta:
        verbose_name = _("促销方案")
        verbose_name_plural = pgettext_lazy("plural", "促销方案")
        ordering = ["-starts_on", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "code"], name="pricing_bundle_code_uniq"
            ),
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="pricing_bundle_period"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return bilingual(self.name_zh, self.name_en)


class BundleItem(TenantModel):
    bundle = models.ForeignKey(Bundle, on_delete=models.CASCADE, related_name="items")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    quantity = models.DecimalField(_("数量"), max_digits=10, decimal_places=2)

    class Meta:
        verbose_name = _("方案产品")
        verbose_name_plural = _("方案产品")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "bundle", "product"], name="pricing_bundle_item_uniq"
            ),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="pricing_bundle_item_qty"),
        ]

    def __str__(self) -> str:
        return f"{self.bundle_id}:{self.product_id}×{self.quantity}"
