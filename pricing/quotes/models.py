"""Quotations (报价单) on an opportunity, their lines and bundle blocks.

A quote copies the prices it uses (list, floor, unit) from the price list
current on its date, so publishing a new list never changes it. Revisions of
one quote share its ``number`` (V1, V2…); at most one revision of a number is
``sent`` at a time (a partial unique constraint). ``lock_version`` is the
optimistic check of concurrent edits; the totals are stored as computed by
``totals.quote_totals`` (the one function).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from collab.money import amount_field, currency_field
from collab.tenancy import TenantModel
from departments.models import bilingual
from pricing.bundles.models import Bundle
from pricing.catalog.models import PriceList, Product

PCT = {"max_digits": 5, "decimal_places": 2}


class QuoteState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PENDING_APPROVAL = "pending_approval", _("待审批")
    APPROVED = "approved", _("已批准")
    REJECTED = "rejected", _("审批驳回")
    SENT = "sent", _("已发送")
    ACCEPTED = "accepted", _("客户已接受")
    DECLINED = "declined", _("客户已拒绝")
    EXPIRED = "expired", _("已过期")
    SUPERSEDED = "superseded", _("已被新版本取代")


OPEN_STATES = (
    QuoteState.DRAFT,
    QuoteState.PENDING_APPROVAL,
    QuoteState.APPROVED,
    QuoteState.REJECTED,
    QuoteState.SENT,
)


class QuoteLanguage(models.TextChoices):
    ZH = "zh-hans", _("中文")
    EN = "en", _("英文")


class Quote(TenantModel):
    opportunity = models.ForeignKey(
        "pipeline.Opportunity", on_delete=models.PROTECT, related_name="+", verbose_name=_("商机")
    )
    number = models.PositiveIntegerField(_("报价单号"))
    revision = models.PositiveSmallIntegerField(_("版本"), default=1)
    state = models.CharField(
        _("状态"), max_length=18, choices=QuoteState.choices, default=QuoteState.DRAFT
    )
    quote_date = models.DateField(_("报价日期"))
    valid_until = models.DateField(_("有效期至"))
    currency = currency_field()
    price_list = models.ForeignKey(
        PriceList, on_delete=models.PROTECT, related_name="+", verbose_name=_("定价表")
    )
    language = models.CharField(
        _("客户语言"), max_length=8, choices=QuoteLanguage.choices, default=QuoteLanguage.ZH
    )
    order_discount_pct = models.DecimalField(_("整单折扣（%）"), default=0, **PCT)
    vat_rate = models.DecimalField(_("增值税率（%）"), **PCT)
    terms = models.TextField(_("条款"), blank=True)
    list_total = amount_field(_("目录价合计"), default=0)
    subtotal = amount_field(_("小计"), default=0)
    order_discount = amount_field(_("整单折扣额"), default=0)
    net_total = amount_field(_("不含税合计"), default=0)
    tax = amount_field(_("税额"), default=0)
    total = amount_field(_("含税合计"), default=0)
    discount_depth = models.DecimalField(_("总折扣（%）"), default=0, **PCT)
    rep_discount_pct = models.DecimalField(_("销售让利（%）"), default=0, **PCT)
    below_floor = models.BooleanField(_("低于底价"), default=False)
    needs_approval = models.BooleanField(_("需要审批"), default=False)
    approval_request = models.ForeignKey(
        "requests_sla.Request",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审批请求"),
    )
    approval_note = models.TextField(_("审批意见"), blank=True)
    lock_version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    requote_offered_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["lock_version", "updated_at"])

    class Meta:
        verbose_name = _("报价单")
        verbose_name_plural = _("报价单")
        ordering = ["-number", "-revision"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "number", "revision"], name="pricing_quote_revision_uniq"
            ),
            models.UniqueConstraint(
                fields=["organization", "number"],
                condition=Q(state="sent"),
                name="pricing_quote_one_sent_uniq",
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "opportunity"], name="pricing_quote_opp_idx"),
            models.Index(fields=["organization", "state"], name="pricing_quote_state_idx"),
            models.Index(fields=["organization", "approval_request"], name="pricing_quote_req_idx"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return f"Q{self.number:05d}-V{self.revision}"

    @property
    def is_editable(self) -> bool:
        return self.state in (QuoteState.DRAFT, QuoteState.REJECTED)


class QuoteLine(TenantModel):
    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField()
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    name_zh = models.CharField(max_length=120)
    name_en = models.CharField(max_length=120, blank=True)
    unit = models.CharField(max_length=8)
    quantity = models.DecimalField(_("数量"), max_digits=10, decimal_places=2)
    list_price = amount_field(_("目录价"))
    floor_price = amount_field(_("底价"))
    unit_price = amount_field(_("单价"))
    discount_pct = models.DecimalField(_("行折扣（%）"), default=0, **PCT)
    amount = amount_field(_("金额"))

    class Meta:
        verbose_name = _("报价行")
        verbose_name_plural = _("报价行")
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "quote", "position"], name="pricing_line_position_uniq"
            ),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="pricing_line_qty"),
            models.CheckConstraint(
                condition=Q(discount_pct__gte=0, discount_pct__lte=100), name="pricing_line_disc"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quote_id}:{self.position}"

    @property
    def name(self) -> str:
        return bilingual(self.name_zh, self.name_en)


class QuoteBundle(TenantModel):
    """A promotion bundle applied to a quote as one block."""

    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="bundles")
    bundle = models.ForeignKey(Bundle, on_delete=models.PROTECT, related_name="+")
    name_zh = models.CharField(max_length=120)
    name_en = models.CharField(max_length=120, blank=True)
    quantity = models.PositiveIntegerField(_("套数"), default=1)
    list_total = amount_field(_("目录价合计"))
    bundle_price = amount_field(_("方案价"))
    amount = amount_field(_("金额"))
    stackable = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("报价促销方案")
        verbose_name_plural = _("报价促销方案")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "quote", "bundle"], name="pricing_quote_bundle_uniq"
            ),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="pricing_quote_bundle_qty"),
        ]

    def __str__(self) -> str:
        return f"{self.quote_id}:{self.bundle_id}"

    @property
    def name(self) -> str:
        return bilingual(self.name_zh, self.name_en)
