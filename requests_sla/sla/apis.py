"""DRF API of the working calendars: everyone reads, organization admins edit."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from collab import parsing
from collab.api import MemberAPIRequest, TenantAPIMixin
from collab.limits import LimitedJSONSerializerField
from collab.parsing import BoundedDateSerializerField
from collab.serializers import DepartmentBrief
from requests_sla.sla import selectors, services
from requests_sla.sla.models import BusinessCalendar, CalendarException, ExceptionKind


class CalendarExceptionOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    date = serializers.DateField()
    kind = serializers.CharField()
    name = serializers.CharField()


class CalendarOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    department = DepartmentBrief(allow_null=True)
    name = serializers.CharField()
    timezone = serializers.CharField()
    weekly = serializers.JSONField()
    use_official_holidays = serializers.BooleanField()
    country = serializers.CharField()
    version = serializers.IntegerField()
    exceptions = CalendarExceptionOutput(many=True, source="exceptions.all")


class CalendarInput(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    timezone = serializers.CharField(max_length=64, required=False)
    weekly = LimitedJSONSerializerField(required=False)
    use_official_holidays = serializers.BooleanField(required=False)
    country = serializers.CharField(max_length=2, required=False)

    def validate_country(self, value: str) -> str:
        try:
            return parsing.parse_country(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from None


class CalendarExceptionInput(serializers.Serializer[Any]):
    date = BoundedDateSerializerField()
    kind = serializers.ChoiceField(choices=ExceptionKind.choices)
    name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


class CalendarViewSet(
    TenantAPIMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet[BusinessCalendar],
):
    """Business calendars: everyone reads; organization admins edit the week
    and add or remove holiday/make-up-workday exceptions (open SLA timers
    are recomputed)."""

    model = BusinessCalendar
    serializer_class = CalendarOutput

    def get_scoped_queryset(self) -> QuerySet[BusinessCalendar]:
        return selectors.calendars_all()

    @extend_schema(request=CalendarInput, responses=CalendarOutput)
    def partial_update(self, request: MemberAPIRequest, pk: str | None = None) -> Response:
        target = self.get_object()
        data = CalendarInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        services.calendar_update(calendar=target, actor=request.membership, **data.validated_data)
        return Response(CalendarOutput(self.get_scoped_queryset().get(pk=target.pk)).data)

    @extend_schema(request=CalendarExceptionInput, responses={201: CalendarExceptionOutput})
    @action(detail=True, methods=["post"])
    def exceptions(self, request: MemberAPIRequest, pk: str | None = None) -> Response:
        target = self.get_object()
        data = CalendarExceptionInput(data=request.data)
        data.is_valid(raise_exception=True)
        created = services.calendar_exception_add(
            calendar=target, actor=request.membership, **data.validated_data
        )
        return Response(CalendarExceptionOutput(created).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={204: None})
    @action(detail=True, methods=["delete"], url_path=r"exceptions/(?P<exception_id>\d+)")
    def remove_exception(
        self, request: MemberAPIRequest, pk: str | None = None, exception_id: str | None = None
    ) -> Response:
        target = self.get_object()
        exception = get_object_or_404(CalendarException.objects, pk=exception_id, calendar=target)
        services.calendar_exception_remove(exception=exception, actor=request.membership)
        return Response(status=status.HTTP_204_NO_CONTENT)
