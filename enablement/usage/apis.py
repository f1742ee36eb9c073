"""REST API of fulfilment and use: record that an asset was used on a deal,
read an asset's uses and effectiveness, fulfil a content request."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from collab.api import TenantAPIMixin
from collab.errors import ServiceError
from collab.money import MoneyOutput
from collab.parsing import IdSerializerField
from enablement.library import selectors as library_selectors
from enablement.library.apis import AssetInput, VersionInput
from enablement.library.models import Asset
from enablement.usage import selectors, services
from enablement.usage.models import AssetFulfilment, AssetUse
from pipeline.opportunities.selectors import opportunities_visible_to
from requests_sla.requests import selectors as request_selectors


class UseOutput(serializers.ModelSerializer):
    used_by = serializers.CharField(source="used_by.username")

    class Meta:
        model = AssetUse
        fields = ["id", "asset", "account", "opportunity", "version", "used_by", "used_at"]


class UseInput(serializers.Serializer):
    opportunity = IdSerializerField()


class EffectivenessOutput(serializers.Serializer):
    deals = serializers.IntegerField()
    won = serializers.IntegerField()
    lost = serializers.IntegerField()
    win_rate = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)
    org_win_rate = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)
    revenue = MoneyOutput(many=True)
    since = serializers.DateTimeField(allow_null=True)


class FulfilmentOutput(serializers.ModelSerializer):
    class Meta:
        model = AssetFulfilment
        fields = ["id", "request", "asset", "version", "created_at"]


class FulfilInput(serializers.Serializer):
    request = IdSerializerField()
    asset = IdSerializerField(required=False, allow_null=True, default=None)
    new_asset = AssetInput(required=False, allow_null=True, default=None)
    version = VersionInput(required=False, default=dict)


class _AssetAPI(TenantAPIMixin, APIView):
    model = Asset

    def asset(self, pk):
        return library_selectors.asset_get(self.request.membership, pk)


class AssetUsesAPI(_AssetAPI):
    """Where an asset was used (GET) and "used on this deal" (POST)."""

    @extend_schema(responses={200: UseOutput(many=True)})
    def get(self, request, pk: int):
        return Response(UseOutput(selectors.uses_of_asset(self.asset(pk))[:500], many=True).data)

    @extend_schema(request=UseInput, responses={201: UseOutput})
    def post(self, request, pk: int):
        asset = self.asset(pk)
        data = UseInput(data=request.data)
        data.is_valid(raise_exception=True)
        deal = (
            opportunities_visible_to(request.membership)
            .filter(pk=data.validated_data["opportunity"])
            .first()
        )
        if deal is None:
            raise ServiceError(_("找不到这个商机。"), field="opportunity")
        use = services.asset_use_record(actor=request.membership, asset=asset, opportunity=deal)
        return Response(UseOutput(use).data, status=status.HTTP_201_CREATED)


class AssetEffectivenessAPI(_AssetAPI):
    @extend_schema(responses={200: EffectivenessOutput})
    def get(self, request, pk: int):
        return Response(EffectivenessOutput(selectors.effectiveness(self.asset(pk))).data)


class FulfilAPI(TenantAPIMixin, APIView):
    """Resolve a content request with a new asset or a new version of one."""

    model = AssetFulfilment

    @extend_schema(request=FulfilInput, responses={201: FulfilmentOutput})
    def post(self, request):
        data = FulfilInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        obj = request_selectors.request_get(request.membership, values["request"])
        kwargs: dict = {}
        if values.get("new_asset"):
            new = AssetInput(data=request.data["new_asset"])
            new.is_valid(raise_exception=True)
            fields, content, _publish = new.fields_and_content()
            kwargs = {"fields": fields, "content": content}
        elif values.get("asset"):
            version = VersionInput(data=request.data.get("version") or {})
            version.is_valid(raise_exception=True)
            kwargs = {
                "asset": library_selectors.asset_get(request.membership, values["asset"]),
                "content": version.content(),
            }
        else:
            raise ServiceError(_("请选择已有资料发布新版本，或新建一份资料。"), field="asset")
        link = services.request_fulfil(actor=request.membership, request=obj, **kwargs)
        return Response(FulfilmentOutput(link).data, status=status.HTTP_201_CREATED)
