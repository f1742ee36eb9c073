"""DRF API of the request types: everyone reads, catalog managers write."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from collab.api import TenantAPIMixin
from collab.limits import LimitedJSONSerializerField
from collab.serializers import DepartmentBrief, ScopedPrimaryKeyField
from departments.models import Department
from requests_sla.catalog import selectors, services
from requests_sla.catalog.models import Priority, RequestType


class RequestTypeOutput(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    name_zh = serializers.CharField()
    name_en = serializers.CharField()
    description = serializers.CharField()
    description_zh = serializers.CharField()
    description_en = serializers.CharField()
    serving_department = DepartmentBrief()
    priorities = serializers.JSONField()
    default_priority = serializers.CharField()
    sla_targets = serializers.JSONField()
    policy_version = serializers.IntegerField()
    form_schema = serializers.JSONField()
    is_active = serializers.BooleanField()
    sort_order = serializers.IntegerField()


class RequestTypeInput(serializers.Serializer):
    serving_department = ScopedPrimaryKeyField(Department)
    code = serializers.SlugField(max_length=48)
    name_zh = serializers.CharField(max_length=100)
    name_en = serializers.CharField(max_length=100)
    description_zh = serializers.CharField(required=False, allow_blank=True)
    description_en = serializers.CharField(required=False, allow_blank=True)
    priorities = serializers.ListField(
        child=serializers.ChoiceField(choices=Priority.choices), required=False
    )
    default_priority = serializers.ChoiceField(choices=Priority.choices, required=False)
    sla_targets = LimitedJSONSerializerField()
    form_schema = LimitedJSONSerializerField(required=False)
    is_active = serializers.BooleanField(required=False)
    sort_order = serializers.IntegerField(required=False, min_value=0, max_value=32767)


class RequestTypeViewSet(
    TenantAPIMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """The catalog: everyone reads the active types; catalog managers see
    inactive ones too and create or edit (PATCH) them."""

    model = RequestType
    serializer_class = RequestTypeOutput
    filterset_fields = ["serving_department", "is_active"]
    ordering_fields = ["sort_order", "code"]

    def get_scoped_queryset(self):
        if self.request.membership.can("manage_catalog"):
            return selectors.request_types_all()
        return selectors.request_types_for_filing()

    @extend_schema(request=RequestTypeInput, responses={201: RequestTypeOutput})
    def create(self, request):
        data = RequestTypeInput(data=request.data)
        data.is_valid(raise_exception=True)
        created = services.request_type_create(actor=request.membership, **data.validated_data)
        return Response(RequestTypeOutput(created).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=RequestTypeInput, responses=RequestTypeOutput)
    def partial_update(self, request, pk=None):
        target = self.get_object()
        data = RequestTypeInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        updated = services.request_type_update(
            request_type=target, actor=request.membership, **data.validated_data
        )
        return Response(RequestTypeOutput(updated).data)
