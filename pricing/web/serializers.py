"""Serializers of the pricing API: outputs from the models, inputs apart."""

from __future__ import annotations

from rest_framework import serializers

from collab.money import AmountSerializerField
from collab.parsing import BoundedDateSerializerField
from pricing.bundles.models import Bundle, BundleItem
from pricing.catalog.models import PriceList, PriceListItem, Product, Tier
from pricing.quotes.models import Quote, QuoteBundle, QuoteLanguage, QuoteLine

MAX_ID = 2**31 - 1


class ProductOutput(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True)

    class Meta:
        model = Product
        fields = [
            "id",
            "code",
            "name",
            "name_zh",
            "name_en",
            "description_zh",
            "description_en",
            "unit",
            "category",
            "base_product",
            "is_active",
        ]


class ProductInput(serializers.Serializer):
    code = serializers.SlugField(max_length=40)
    name_zh = serializers.CharField(max_length=120)
    name_en = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
    description_zh = serializers.CharField(required=False, allow_blank=True, default="")
    description_en = serializers.CharField(required=False, allow_blank=True, default="")
    unit = serializers.ChoiceField(choices=Product._meta.get_field("unit").choices)
    category = serializers.ChoiceField(choices=Product._meta.get_field("category").choices)
    base_product = serializers.PrimaryKeyRelatedField(
        queryset=Product.objects.none(), required=False, allow_null=True, default=None
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["base_product"].queryset = Product.objects.all()


class PriceItemOutput(serializers.ModelSerializer):
    class Meta:
        model = PriceListItem
        fields = ["product", "list_price", "floor_price"]


class PriceListOutput(serializers.ModelSerializer):
    items = PriceItemOutput(many=True, read_only=True)

    class Meta:
        model = PriceList
        fields = [
            "id",
            "name",
            "tier",
            "currency",
            "version",
            "effective_from",
            "effective_to",
            "state",
            "published_at",
            "items",
        ]


class PriceListInput(serializers.Serializer):
    name = serializers.CharField(max_length=120)
    tier = serializers.ChoiceField(choices=Tier.choices, default=Tier.STANDARD)
    currency = serializers.ChoiceField(
        choices=PriceList._meta.get_field("currency").choices, default="CNY"
    )
    effective_from = BoundedDateSerializerField()


class PriceItemInput(serializers.Serializer):
    product = serializers.PrimaryKeyRelatedField(queryset=Product.objects.none())
    list_price = AmountSerializerField()
    floor_price = AmountSerializerField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = Product.objects.all()


class BundleItemOutput(serializers.ModelSerializer):
    class Meta:
        model = BundleItem
        fields = ["product", "quantity"]


class OptionalUrlOutput(serializers.URLField):
    """A blank URL column read as null: "" is not a URI, so the schema's
    ``format: uri`` would be a lie for a bundle not yet in the library."""

    def to_representation(self, value: str) -> str | None:  # type: ignore[override]  # null, not ""
        return value or None


class BundleOutput(serializers.ModelSerializer):
    items = BundleItemOutput(many=True, read_only=True)
    name = serializers.CharField(read_only=True)
    library_url = OptionalUrlOutput(read_only=True, allow_null=True)

    class Meta:
        model = Bundle
        fields = [
            "id",
            "code",
            "name",
            "name_zh",
            "name_en",
            "period_label",
            "starts_on",
            "ends_on",
            "currency",
            "bundle_price",
            "industries",
            "sizes",
            "customer_kind",
            "stackable",
            "state",
            "library_url",
            "items",
        ]


class QuoteLineOutput(serializers.ModelSerializer):
    class Meta:
        model = QuoteLine
        fields = [
            "position",
            "product",
            "name_zh",
            "name_en",
            "unit",
            "quantity",
            "list_price",
            "floor_price",
            "unit_price",
            "discount_pct",
            "amount",
        ]


class QuoteBundleOutput(serializers.ModelSerializer):
    class Meta:
        model = QuoteBundle
        fields = [
            "bundle",
            "name_zh",
            "name_en",
            "quantity",
            "list_total",
            "bundle_price",
            "amount",
            "stackable",
        ]


class QuoteOutput(serializers.ModelSerializer):
    reference = serializers.CharField(read_only=True)
    lines = QuoteLineOutput(many=True, read_only=True)
    bundles = QuoteBundleOutput(many=True, read_only=True)

    class Meta:
        model = Quote
        fields = [
            "id",
            "reference",
            "number",
            "revision",
            "opportunity",
            "state",
            "quote_date",
            "valid_until",
            "currency",
            "price_list",
            "language",
            "order_discount_pct",
            "vat_rate",
            "terms",
            "list_total",
            "subtotal",
            "order_discount",
            "net_total",
            "tax",
            "total",
            "discount_depth",
            "rep_discount_pct",
            "below_floor",
            "needs_approval",
            "approval_request",
            "approval_note",
            "lock_version",
            "requote_offered_at",
            "lines",
            "bundles",
        ]


class LineInput(serializers.Serializer):
    # Read by the service, which reports bad values as field errors on "lines".
    product = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    quantity = serializers.CharField()
    unit_price = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    discount_pct = serializers.CharField(required=False, allow_blank=True, default="0")


class BlockInput(serializers.Serializer):
    bundle = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    quantity = serializers.IntegerField(min_value=1, max_value=100000, default=1)


class QuoteInput(serializers.Serializer):
    opportunity = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    lines = LineInput(many=True, required=False, default=list)
    bundles = BlockInput(many=True, required=False, default=list)
    language = serializers.ChoiceField(choices=QuoteLanguage.choices, default=QuoteLanguage.ZH)
    valid_until = BoundedDateSerializerField(required=False, allow_null=True, default=None)
    order_discount_pct = serializers.CharField(required=False, default="0")
    terms = serializers.CharField(required=False, allow_blank=True, default="")


class QuoteUpdateInput(QuoteInput):
    opportunity = None  # type: ignore[assignment]
    lock_version = serializers.IntegerField(min_value=0, max_value=MAX_ID)


class ActionInput(serializers.Serializer):
    lock_version = serializers.IntegerField(
        min_value=0, max_value=MAX_ID, required=False, allow_null=True, default=None
    )


class ComparisonRowOutput(serializers.Serializer):
    bundle = BundleOutput()
    list_total = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    saving = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    saving_pct = serializers.DecimalField(max_digits=7, decimal_places=2, allow_null=True)
