"""REST API of hiring: headcount requests (departments ask, HR decides and
opens them in a quarter's plan) and positions (HR moves them through the
pipeline and fills them with the new joiner). HR reads everything; other
members only their department's."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from collab.api import TenantAPIMixin
from collab.money import AmountSerializerField
from collab.parsing import BoundedDateSerializerField, IdSerializerField
from incentives import permissions
from incentives.hiring import selectors, services
from incentives.hiring.models import HEADCOUNT_MAX, HeadcountRequest, Position, Stage


class HiringViewSetMixin(TenantAPIMixin):
    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if not permissions.can_view_hiring(request.membership):
            raise exceptions.PermissionDenied()


class HeadcountRequestOutput(serializers.ModelSerializer):
    class Meta:
        model = HeadcountRequest
        fields = ["id", "department", "position", "level", "count", "reason", "needed_by"]
        fields += ["budget_per_head", "currency", "state", "requested_by", "created_at"]
        fields += ["decided_by", "decided_at", "decision_note"]


class HeadcountRequestInput(serializers.Serializer):
    department_id = IdSerializerField(required=False, allow_null=True, default=None)
    position = serializers.CharField(max_length=100)
    level = serializers.CharField(max_length=40)
    count = serializers.IntegerField(min_value=1, max_value=HEADCOUNT_MAX)
    reason = serializers.CharField(max_length=2000)
    needed_by = BoundedDateSerializerField()
    budget_per_head = AmountSerializerField(allow_zero=False)


class HeadcountDecisionInput(serializers.Serializer):
    approve = serializers.BooleanField()
    note = serializers.CharField(max_length=500, required=False, default="", allow_blank=True)


class HeadcountOpenInput(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    quarter = serializers.IntegerField(min_value=1, max_value=4)


class PositionOutput(serializers.ModelSerializer):
    plan = serializers.CharField(source="plan.__str__", read_only=True)
    # Empty until the position is filled: plain text, not an "email" format.
    joiner_email = serializers.CharField(read_only=True)
    days_to_fill = serializers.SerializerMethodField()

    class Meta:
        model = Position
        fields = ["id", "plan", "request", "department", "title", "level", "budget", "currency"]
        fields += ["stage", "opened_on", "joined_on", "joiner", "joiner_email", "days_to_fill"]

    def get_days_to_fill(self, obj) -> int | None:
        if "days_to_fill" in obj.__dict__:  # computed for a whole list at once
            return obj.days_to_fill
        return selectors.time_to_fill(obj)


class PositionMoveInput(serializers.Serializer):
    stage = serializers.ChoiceField(choices=[s.value for s in Stage if s != Stage.JOINED])


class PositionFillInput(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    joined_on = BoundedDateSerializerField(required=False, allow_null=True, default=None)


class HeadcountRequestViewSet(
    HiringViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    model = HeadcountRequest
    serializer_class = HeadcountRequestOutput

    def get_scoped_queryset(self):
        return selectors.requests_visible_to(self.request.membership).order_by("-created_at", "-id")

    @extend_schema(request=HeadcountRequestInput, responses={201: HeadcountRequestOutput})
    def create(self, request):
        data = HeadcountRequestInput(data=request.data)
        data.is_valid(raise_exception=True)
        req = services.headcount_request(actor=request.membership, **data.validated_data)
        return Response(HeadcountRequestOutput(req).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=HeadcountDecisionInput, responses=HeadcountRequestOutput)
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        req = self.get_object()
        data = HeadcountDecisionInput(data=request.data)
        data.is_valid(raise_exception=True)
        req = services.headcount_decide(
            actor=request.membership, request_id=req.pk, **data.validated_data
        )
        return Response(HeadcountRequestOutput(req).data)

    @extend_schema(request=HeadcountOpenInput, responses={201: PositionOutput(many=True)})
    @action(detail=True, methods=["post"], url_path="open")
    def open_positions(self, request, pk=None):
        req = self.get_object()
        data = HeadcountOpenInput(data=request.data)
        data.is_valid(raise_exception=True)
        positions = services.positions_open(
            actor=request.membership, request_id=req.pk, **data.validated_data
        )
        return Response(PositionOutput(positions, many=True).data, status=201)


class PositionViewSet(
    HiringViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    model = Position
    serializer_class = PositionOutput

    def get_scoped_queryset(self):
        return selectors.positions_visible_to(self.request.membership).order_by("plan_id", "id")

    def list(self, request, *args, **kwargs):
        qs = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(qs)
        rows = selectors.with_days_to_fill(list(page if page is not None else qs))
        data = PositionOutput(rows, many=True).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    @extend_schema(request=PositionMoveInput, responses=PositionOutput)
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):
        position = self.get_object()
        data = PositionMoveInput(data=request.data)
        data.is_valid(raise_exception=True)
        position = services.position_move(
            actor=request.membership, position_id=position.pk, **data.validated_data
        )
        return Response(PositionOutput(position).data)

    @extend_schema(request=PositionFillInput, responses=PositionOutput)
    @action(detail=True, methods=["post"])
    def fill(self, request, pk=None):
        position = self.get_object()
        data = PositionFillInput(data=request.data)
        data.is_valid(raise_exception=True)
        position = services.position_fill(
            actor=request.membership,
            position_id=position.pk,
            request=request._request,
            **data.validated_data,
        )
        return Response(PositionOutput(position).data)
