"""Forms of the pricing pages. Amounts through collab.money's fields; the
quote's lines come as parallel lists (one row per product) read by
``lines_from_post``."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from collab.money import AmountFormField, Currency
from collab.parsing import BoundedDateField
from pipeline.accounts.models import AccountSize, Industry
from pricing.bundles.models import CustomerKind
from pricing.catalog.models import Category, Product, Tier, Unit
from pricing.quotes.models import QuoteLanguage

DATE = {"widget": forms.DateInput(attrs={"type": "date"})}


class ProductForm(forms.Form):
    code = forms.SlugField(label=_("产品编码"), max_length=40)
    name_zh = forms.CharField(label=_("中文名称"), max_length=120)
    name_en = forms.CharField(label=_("英文名称"), max_length=120, required=False)
    unit = forms.ChoiceField(label=_("单位"), choices=Unit.choices)
    category = forms.ChoiceField(label=_("类别"), choices=Category.choices)
    base_product = forms.ModelChoiceField(
        label=_("基础产品"),
        queryset=Product.objects.none(),
        required=False,
        help_text=_("附加选项须与其基础产品一起报价"),
    )
    description_zh = forms.CharField(
        label=_("中文说明"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    description_en = forms.CharField(
        label=_("英文说明"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["base_product"].queryset = Product.objects.filter(base_product__isnull=True)


class PriceListForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=120)
    tier = forms.ChoiceField(label=_("客户等级"), choices=Tier.choices)
    currency = forms.ChoiceField(label=_("币种"), choices=Currency.choices)
    effective_from = BoundedDateField(label=_("生效日期"), **DATE)


class PriceItemForm(forms.Form):
    product = forms.ModelChoiceField(label=_("产品"), queryset=Product.objects.none())
    list_price = AmountFormField(label=_("目录价"))
    floor_price = AmountFormField(label=_("底价"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = Product.objects.filter(is_active=True)


class BundleForm(forms.Form):
    code = forms.SlugField(label=_("方案编码"), max_length=40)
    name_zh = forms.CharField(label=_("中文名称"), max_length=120)
    name_en = forms.CharField(label=_("英文名称"), max_length=120, required=False)
    period_label = forms.CharField(label=_("活动周期"), max_length=60, required=False)
    starts_on = BoundedDateField(label=_("开始日期"), **DATE)
    ends_on = BoundedDateField(label=_("结束日期"), **DATE)
    currency = forms.ChoiceField(label=_("币种"), choices=Currency.choices)
    bundle_price = AmountFormField(label=_("方案价"))
    industries = forms.MultipleChoiceField(
        label=_("适用行业"),
        choices=Industry.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("不选表示所有行业"),
    )
    sizes = forms.MultipleChoiceField(
        label=_("适用规模"),
        choices=AccountSize.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("不选表示所有规模"),
    )
    customer_kind = forms.ChoiceField(label=_("适用客户"), choices=CustomerKind.choices)
    stackable = forms.BooleanField(label=_("可叠加整单折扣"), required=False)
    library_url = forms.URLField(label=_("资料库链接"), required=False, assume_scheme="https")


class BundleItemForm(forms.Form):
    product = forms.ModelChoiceField(label=_("产品"), queryset=Product.objects.none())
    quantity = forms.DecimalField(
        label=_("数量"), min_value=0.01, max_value=99999999, max_digits=10, decimal_places=2
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = Product.objects.filter(is_active=True)


class QuoteForm(forms.Form):
    opportunity = forms.TypedChoiceField(label=_("商机"), coerce=int)
    language = forms.ChoiceField(label=_("客户语言"), choices=QuoteLanguage.choices)
    valid_until = BoundedDateField(label=_("有效期至"), required=False, **DATE)
    order_discount_pct = forms.DecimalField(
        label=_("整单折扣（%）"), min_value=0, max_value=100, decimal_places=2, required=False
    )
    terms = forms.CharField(
        label=_("条款"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    bundle = forms.TypedChoiceField(
        label=_("促销方案"), coerce=int, required=False, empty_value=None
    )
    bundle_quantity = forms.IntegerField(
        label=_("套数"), min_value=1, max_value=100000, initial=1, required=False
    )
    lock_version = forms.IntegerField(
        widget=forms.HiddenInput, required=False, min_value=0, max_value=2**31 - 1
    )

    def __init__(self, *args, opportunities=(), bundles=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["opportunity"].choices = [
            (o.pk, f"{o.name} · {o.account.name}") for o in opportunities
        ]
        self.fields["bundle"].choices = [("", "—")] + [(b.pk, b.name) for b in bundles]


LINE_KEYS = ("product", "quantity", "unit_price", "discount_pct")


def lines_from_post(data) -> list[dict]:
    """The line rows of a quote form, skipping rows without a product."""
    columns = [data.getlist(f"line_{key}") for key in LINE_KEYS]
    rows = []
    for values in zip(*columns, strict=False):
        row = dict(zip(LINE_KEYS, (v.strip() for v in values), strict=True))
        if row["product"]:
            rows.append(row)
    return rows
