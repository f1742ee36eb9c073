"""REST API of campaigns: every member reads campaigns and their responses;
Marketing plans campaigns, records responses (one by one or a CSV file, all
or nothing) and turns a known account's response into a lead."""

from __future__ import annotations

from decimal import Decimal

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from collab.api import TenantAPIMixin
from collab.money import AmountSerializerField, Currency, MoneyOutput
from collab.parsing import BoundedDateSerializerField, IdSerializerField
from enablement.campaigns import responses_import, selectors, services
from enablement.campaigns.models import (
    AssetRole,
    Campaign,
    CampaignKind,
    CampaignResponse,
    ResponseKind,
)
from pipeline.models import Industry, LeadKind

MAX_ASSET_IDS = 100  # asset ids in one body; more is a 400


class CampaignFiguresOutput(serializers.Serializer):
    leads = serializers.IntegerField()
    deals = serializers.IntegerField()
    won = serializers.IntegerField()
    cost_per_lead = serializers.DecimalField(max_digits=20, decimal_places=2, allow_null=True)
    pipeline = MoneyOutput(many=True)
    revenue = MoneyOutput(many=True)


class CampaignOutput(serializers.ModelSerializer):
    assets_used = serializers.SerializerMethodField()
    assets_produced = serializers.SerializerMethodField()
    target_accounts = serializers.SerializerMethodField()
    url = serializers.CharField(source="get_absolute_url")

    class Meta:
        model = Campaign
        fields = [
            "id",
            "kind",
            "title_zh",
            "title_en",
            "description",
            "industry",
            "pain_point",
            "starts_on",
            "ends_on",
            "budget",
            "currency",
            "assets_used",
            "assets_produced",
            "target_accounts",
            "created_at",
            "url",
        ]

    def _assets(self, obj, role) -> list[int]:
        return [x.asset_id for x in obj.asset_links.all() if x.role == role]

    def get_assets_used(self, obj) -> list[int]:
        return self._assets(obj, AssetRole.USED)

    def get_assets_produced(self, obj) -> list[int]:
        return self._assets(obj, AssetRole.PRODUCED)

    def get_target_accounts(self, obj) -> list[int]:
        return [t.account_id for t in obj.targets.all()]


class CampaignInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=CampaignKind.choices)
    title_zh = serializers.CharField(max_length=200)
    title_en = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    description = serializers.CharField(
        max_length=5000, required=False, allow_blank=True, default=""
    )
    industry = serializers.ChoiceField(
        choices=Industry.choices, required=False, allow_blank=True, default=""
    )
    pain_point = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    starts_on = BoundedDateSerializerField()
    ends_on = BoundedDateSerializerField()
    budget = AmountSerializerField()
    currency = serializers.ChoiceField(choices=Currency.choices, default=Currency.CNY)
    # The period rule (ends_on ≥ starts_on) is checked by services.campaign_save.
    assets_used = serializers.ListField(
        child=IdSerializerField(), required=False, default=list, max_length=MAX_ASSET_IDS
    )
    assets_produced = serializers.ListField(
        child=IdSerializerField(), required=False, default=list, max_length=MAX_ASSET_IDS
    )
    target_accounts = serializers.ListField(
        child=IdSerializerField(), required=False, default=list, max_length=1000
    )


class CampaignResponseOutput(serializers.ModelSerializer):
    # Blank when not given: a plain string, not the schema's "email" format.
    email = serializers.CharField()

    class Meta:
        model = CampaignResponse
        fields = [
            "id",
            "campaign",
            "kind",
            "responded_on",
            "name",
            "email",
            "company",
            "account",
            "lead",
            "created_at",
        ]


class CampaignResponseInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ResponseKind.choices)
    responded_on = BoundedDateSerializerField()
    name = serializers.CharField(max_length=100)
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    company = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class ResponsesImportInput(serializers.Serializer):
    file = serializers.FileField()


class ResponsesImportOutput(serializers.Serializer):
    imported = serializers.IntegerField()


class ResponseLeadInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=LeadKind.choices, default=LeadKind.UPSELL)
    estimated_amount = AmountSerializerField(required=False, default=Decimal("0"))
    description = serializers.CharField(
        max_length=2000, required=False, allow_blank=True, default=""
    )


class CampaignViewSet(
    TenantAPIMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Campaigns: every member reads; Marketing plans and changes them."""

    model = Campaign
    serializer_class = CampaignOutput

    def get_scoped_queryset(self):
        return selectors.campaigns_visible_to(self.request.membership).prefetch_related(
            "asset_links", "targets"
        )

    def _save(self, request, campaign=None):
        data = CampaignInput(data=request.data)
        data.is_valid(raise_exception=True)
        saved = services.campaign_save(
            actor=request.membership,
            fields=services.CampaignFields(**data.validated_data),
            campaign=campaign,
        )
        return CampaignOutput(self.get_scoped_queryset().get(pk=saved.pk)).data

    @extend_schema(request=CampaignInput, responses={201: CampaignOutput})
    def create(self, request):
        return Response(self._save(request), status=status.HTTP_201_CREATED)

    @extend_schema(request=CampaignInput, responses={200: CampaignOutput})
    def update(self, request, pk=None):
        return Response(self._save(request, self.get_object()))


class _CampaignAPI(TenantAPIMixin, APIView):
    model = CampaignResponse

    def campaign(self, pk: int) -> Campaign:
        return selectors.campaign_get(self.request.membership, pk)


class CampaignFiguresAPI(_CampaignAPI):
    @extend_schema(responses={200: CampaignFiguresOutput})
    def get(self, request, pk: int):
        return Response(CampaignFiguresOutput(selectors.campaign_figures(self.campaign(pk))).data)


class CampaignResponsesAPI(_CampaignAPI):
    """A campaign's responses (GET) and one more (POST, Marketing)."""

    @extend_schema(responses={200: CampaignResponseOutput(many=True)})
    def get(self, request, pk: int):
        rows = selectors.responses_of(self.campaign(pk))[:1000]
        return Response(CampaignResponseOutput(rows, many=True).data)

    @extend_schema(request=CampaignResponseInput, responses={201: CampaignResponseOutput})
    def post(self, request, pk: int):
        campaign = self.campaign(pk)
        data = CampaignResponseInput(data=request.data)
        data.is_valid(raise_exception=True)
        made = services.response_record(
            actor=request.membership,
            campaign=campaign,
            fields=services.ResponseFields(**data.validated_data),
        )
        return Response(CampaignResponseOutput(made).data, status=status.HTTP_201_CREATED)


class CampaignResponsesImportAPI(_CampaignAPI):
    """A CSV file of responses: all imported, or none and a 400 whose
    ``file`` errors name the bad lines."""

    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(request=ResponsesImportInput, responses={201: ResponsesImportOutput})
    def post(self, request, pk: int):
        campaign = self.campaign(pk)
        data = ResponsesImportInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            made = responses_import.responses_import(
                actor=request.membership, campaign=campaign, data=data.validated_data["file"].read()
            )
        except responses_import.ImportRejected as exc:
            raise serializers.ValidationError({"file": exc.errors}) from None
        return Response({"imported": len(made)}, status=status.HTTP_201_CREATED)


class CampaignResponseLeadAPI(_CampaignAPI):
    """The response of a known account becomes a lead (source "campaign")."""

    @extend_schema(request=ResponseLeadInput, responses={201: CampaignResponseOutput})
    def post(self, request, pk: int):
        response = CampaignResponse.objects.filter(pk=pk).first()
        if response is None:
            raise Http404
        data = ResponseLeadInput(data=request.data)
        data.is_valid(raise_exception=True)
        made = services.response_to_lead(
            actor=request.membership, response=response, **data.validated_data
        )
        return Response(CampaignResponseOutput(made).data, status=status.HTTP_201_CREATED)
