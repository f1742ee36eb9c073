"""REST API of the library: search and read assets, create (owner
departments), publish a new version, publish and retire. Files are uploaded
as multipart ``files``; sections as JSON (a JSON body) or a JSON string."""

from __future__ import annotations

import json

from django.core.exceptions import PermissionDenied
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from collab.api import TenantAPIMixin
from enablement import permissions
from enablement.library import selectors, services
from enablement.library.models import Asset, AssetKind, AssetVersion, CustomerSize


class FileOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="original_name")
    size = serializers.IntegerField()
    url = serializers.CharField(source="get_absolute_url")


class VersionOutput(serializers.ModelSerializer):
    created_by = serializers.CharField(source="created_by.username")
    files = FileOutput(many=True)

    class Meta:
        model = AssetVersion
        fields = ["number", "body", "sections", "change_note", "created_by", "created_at", "files"]


class AssetOutput(serializers.ModelSerializer):
    owner_department = serializers.CharField(source="owner_department.code")
    url = serializers.CharField(source="get_absolute_url")

    class Meta:
        model = Asset
        fields = [
            "id",
            "kind",
            "status",
            "owner_department",
            "title_zh",
            "title_en",
            "summary_zh",
            "summary_en",
            "industry",
            "stages",
            "pain_points",
            "products",
            "customer_size",
            "version",
            "published_at",
            "retired_at",
            "updated_at",
            "url",
        ]


class _JSONSections(serializers.JSONField):
    def to_internal_value(self, data):
        if isinstance(data, str):
            try:
                data = json.loads(data or "{}")
            except ValueError:
                raise serializers.ValidationError("invalid JSON") from None
        return super().to_internal_value(data)


class VersionInput(serializers.Serializer):
    body = serializers.CharField(required=False, allow_blank=True, default="")
    sections = _JSONSections(required=False, default=dict)
    change_note = serializers.CharField(required=False, allow_blank=True, default="")
    files = serializers.ListField(child=serializers.FileField(), required=False, default=list)

    def content(self) -> services.VersionContent:
        return services.VersionContent(**self.validated_data)


class AssetInput(VersionInput):
    kind = serializers.ChoiceField(choices=AssetKind.choices)
    title_zh = serializers.CharField(max_length=200)
    title_en = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    summary_zh = serializers.CharField(required=False, allow_blank=True, default="")
    summary_en = serializers.CharField(required=False, allow_blank=True, default="")
    industry = serializers.CharField(required=False, allow_blank=True, default="")
    stages = serializers.ListField(child=serializers.CharField(), required=False, default=list)
    pain_points = serializers.ListField(child=serializers.CharField(), required=False, default=list)
    products = serializers.ListField(child=serializers.CharField(), required=False, default=list)
    customer_size = serializers.ChoiceField(
        choices=CustomerSize.choices, required=False, allow_blank=True, default=""
    )
    publish = serializers.BooleanField(required=False, default=False)

    def fields_and_content(self):
        data = dict(self.validated_data)
        content = services.VersionContent(
            body=data.pop("body"),
            sections=data.pop("sections"),
            change_note=data.pop("change_note"),
            files=data.pop("files"),
        )
        publish = data.pop("publish")
        return services.AssetFields(**data), content, publish


_SEARCH_PARAMS = [
    OpenApiParameter("q", str, description="Chinese or English words; every word must match"),
    OpenApiParameter("kind", str, enum=AssetKind.values),
    OpenApiParameter("industry", str),
    OpenApiParameter("stage", str),
    OpenApiParameter("department", int),
    OpenApiParameter("status", str, enum=["draft", "retired"]),
]


class AssetViewSet(TenantAPIMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Library assets: everyone reads published ones; owner departments write."""

    model = Asset
    serializer_class = AssetOutput

    def get_scoped_queryset(self):
        return selectors.assets_visible_to(self.request.membership)

    @extend_schema(parameters=_SEARCH_PARAMS, responses={200: AssetOutput(many=True)})
    def list(self, request):
        filters = selectors.filters_from(request.query_params)
        results = selectors.library_search(request.membership, filters)
        page = self.paginate_queryset(results)
        return self.get_paginated_response(AssetOutput(page, many=True).data)

    @extend_schema(request=AssetInput, responses={201: AssetOutput})
    def create(self, request):
        data = AssetInput(data=request.data)
        data.is_valid(raise_exception=True)
        fields, content, publish = data.fields_and_content()
        asset = services.asset_create(
            actor=request.membership, fields=fields, content=content, publish=publish
        )
        return Response(AssetOutput(asset).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={200: VersionOutput(many=True)})
    @action(detail=True, methods=["get"], pagination_class=None)
    def versions(self, request, pk=None):
        asset = self.get_object()
        versions = selectors.versions_of(asset).prefetch_related("files")
        return Response(VersionOutput(versions, many=True).data)

    @extend_schema(request=VersionInput, responses={201: VersionOutput})
    @action(detail=True, methods=["post"], url_path="new-version")
    def new_version(self, request, pk=None):
        asset = self.get_object()
        data = VersionInput(data=request.data)
        data.is_valid(raise_exception=True)
        version = services.asset_version_publish(
            actor=request.membership, asset=asset, content=data.content()
        )
        return Response(VersionOutput(version).data, status=status.HTTP_201_CREATED)

    def _state(self, service):
        asset = self.get_object()
        if not permissions.can_edit(self.request.membership, asset):
            raise PermissionDenied
        return Response(AssetOutput(service(actor=self.request.membership, asset=asset)).data)

    @extend_schema(request=None, responses={200: AssetOutput})
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        return self._state(services.asset_publish)

    @extend_schema(request=None, responses={200: AssetOutput})
    @action(detail=True, methods=["post"])
    def retire(self, request, pk=None):
        return self._state(services.asset_retire)
