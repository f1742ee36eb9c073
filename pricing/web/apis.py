"""The pricing API: products, price lists (draft, prices, publish), bundles,
quotes (create, edit with the version check, revise, request approval,
send, accept, decline) and the comparison sheet. The same rules as the
pages: reps quote on their own deals, Product Management edits the catalog,
the approval chain decides discounts."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from collab.api import TenantAPIMixin
from collab.parsing import optional_date
from pipeline.accounts.apis import require_rule
from pricing import permissions
from pricing.bundles.models import Bundle
from pricing.bundles.selectors import comparison_rows
from pricing.catalog import services as catalog_services
from pricing.catalog.models import PriceList, Product
from pricing.quotes import lifecycle, selectors, services
from pricing.quotes.models import Quote
from pricing.quotes.requote import price_list_publish_and_offer
from pricing.web import serializers as s


class PricingViewSet(TenantAPIMixin, viewsets.GenericViewSet):
    rule = staticmethod(permissions.can_view_pricing)

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        require_rule(self.rule, request.membership)

    def out(self, instance, code=status.HTTP_200_OK, serializer=None):
        serializer = serializer or self.get_serializer_class()
        return Response(serializer(instance).data, status=code)

    def read(self, serializer):
        data = serializer(data=self.request.data, context={"request": self.request})
        data.is_valid(raise_exception=True)
        return dict(data.validated_data)


class ProductViewSet(PricingViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    model = Product
    serializer_class = s.ProductOutput

    def get_scoped_queryset(self):
        return Product.objects.order_by("category", "code")

    @extend_schema(request=s.ProductInput, responses={201: s.ProductOutput})
    def create(self, request):
        fields = self.read(s.ProductInput)
        return self.out(
            catalog_services.product_save(actor=request.membership, **fields),
            status.HTTP_201_CREATED,
        )


class PriceListViewSet(PricingViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    model = PriceList
    serializer_class = s.PriceListOutput

    def get_scoped_queryset(self):
        return PriceList.objects.prefetch_related("items").order_by("tier", "-effective_from")

    @extend_schema(request=s.PriceListInput, responses={201: s.PriceListOutput})
    def create(self, request):
        fields = self.read(s.PriceListInput)
        price_list = catalog_services.price_list_create(actor=request.membership, **fields)
        return self.out(price_list, status.HTTP_201_CREATED)

    @extend_schema(request=s.PriceItemInput, responses=s.PriceListOutput)
    @action(detail=True, methods=["post"])
    def prices(self, request, pk=None):
        price_list = self.get_object()
        catalog_services.price_list_item_set(
            actor=request.membership, price_list=price_list, **self.read(s.PriceItemInput)
        )
        return self.out(self.get_object())

    @extend_schema(request=None, responses=s.PriceListOutput)
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        price_list = self.get_object()
        price_list_publish_and_offer(actor=request.membership, price_list=price_list)
        return self.out(self.get_object())


class BundleViewSet(PricingViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    model = Bundle
    serializer_class = s.BundleOutput

    def get_scoped_queryset(self):
        return Bundle.objects.prefetch_related("items").order_by("-starts_on", "code")


class QuoteViewSet(PricingViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    model = Quote
    serializer_class = s.QuoteOutput
    rule = staticmethod(permissions.can_view_quotes)
    filterset_fields = ["state", "opportunity", "number"]

    def get_scoped_queryset(self):
        return selectors.quotes_visible_to(self.request.membership).prefetch_related(
            "lines", "bundles"
        )

    @extend_schema(request=s.QuoteInput, responses={201: s.QuoteOutput})
    def create(self, request):
        fields = self.read(s.QuoteInput)
        quote = services.quote_create(
            actor=request.membership, opportunity_id=fields.pop("opportunity"), **fields
        )
        return self.out(self.get_scoped_queryset().get(pk=quote.pk), status.HTTP_201_CREATED)

    @extend_schema(request=s.QuoteUpdateInput, responses=s.QuoteOutput)
    def partial_update(self, request, pk=None):
        quote = self.get_object()
        fields = self.read(s.QuoteUpdateInput)
        services.quote_update(actor=request.membership, quote_id=quote.pk, **fields)
        return self.out(self.get_object())

    def _act(self, service):
        quote = self.get_object()
        fields = self.read(s.ActionInput)
        try:
            result = service(actor=self.request.membership, quote_id=quote.pk, **fields)
        except Quote.DoesNotExist:
            require_rule(lambda m: False, self.request.membership)
        return self.out(self.get_scoped_queryset().get(pk=result.pk))

    @extend_schema(request=s.ActionInput, responses=s.QuoteOutput)
    @action(detail=True, methods=["post"], url_path="request-approval")
    def request_approval(self, request, pk=None):
        return self._act(lifecycle.quote_request_approval)

    @extend_schema(request=s.ActionInput, responses=s.QuoteOutput)
    @action(detail=True, methods=["post"])
    def send(self, request, pk=None):
        return self._act(lifecycle.quote_send)

    @extend_schema(request=s.ActionInput, responses=s.QuoteOutput)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        return self._act(lifecycle.quote_accept)

    @extend_schema(request=s.ActionInput, responses=s.QuoteOutput)
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        return self._act(lifecycle.quote_decline)

    @extend_schema(request=None, responses={201: s.QuoteOutput})
    @action(detail=True, methods=["post"])
    def revise(self, request, pk=None):
        quote = self.get_object()
        try:
            new = services.quote_revise(actor=request.membership, quote_id=quote.pk)
        except Quote.DoesNotExist:
            require_rule(lambda m: False, request.membership)
        return self.out(self.get_scoped_queryset().get(pk=new.pk), status.HTTP_201_CREATED)


class ComparisonView(TenantAPIMixin, APIView):
    """The bundle comparison sheet on a date (``?on=YYYY-MM-DD``, today by default)."""

    model = Bundle

    def get_scoped_queryset(self):
        return Bundle.objects.all()

    @extend_schema(responses=s.ComparisonRowOutput(many=True))
    def get(self, request):
        require_rule(permissions.can_view_pricing, request.membership)
        on = optional_date(request.query_params.get("on")) or timezone.localdate()
        return Response(s.ComparisonRowOutput(comparison_rows(on), many=True).data)
