"""The funnel report as JSON; a sales rep gets the funnel of their own deals."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from collab.api import TenantAPIMixin
from collab.parsing import BoundedDateSerializerField, IdSerializerField
from departments.models import Department
from pipeline import permissions
from pipeline.accounts import selectors as accounts_selectors
from pipeline.accounts.apis import require_rule
from pipeline.accounts.models import Industry
from pipeline.funnel import filters, selectors
from pipeline.opportunities.apis import StageOutput
from pipeline.opportunities.models import Currency


class FunnelInput(serializers.Serializer):
    start = BoundedDateSerializerField(required=False)
    end = BoundedDateSerializerField(required=False)
    owner = IdSerializerField(required=False)
    team = IdSerializerField(required=False)
    industry = serializers.ChoiceField(choices=Industry.choices, required=False)
    currency = serializers.ChoiceField(choices=Currency.choices, default=Currency.CNY)

    def validate(self, attrs):
        default = filters.default_filters(attrs.get("end"))
        attrs.setdefault("end", default.end)
        attrs.setdefault("start", default.start)
        if attrs["start"] > attrs["end"]:
            raise serializers.ValidationError({"start": ["start must not be after end"]})
        if (attrs["end"] - attrs["start"]).days > 3 * 366:
            raise serializers.ValidationError({"start": ["the period is at most three years"]})
        if "team" in attrs and not Department.objects.filter(pk=attrs["team"]).exists():
            raise serializers.ValidationError({"team": ["no such team"]})
        if (
            "owner" in attrs
            and not accounts_selectors.sellers().filter(user_id=attrs["owner"]).exists()
        ):
            raise serializers.ValidationError({"owner": ["no such member"]})
        return attrs


class StageFiguresOutput(serializers.Serializer):
    stage = StageOutput()
    entered = serializers.IntegerField()
    entered_amount = serializers.DecimalField(max_digits=20, decimal_places=2)
    conversion = serializers.FloatField(allow_null=True)
    prev_entered = serializers.IntegerField()
    prev_conversion = serializers.FloatField(allow_null=True)
    median_days = serializers.FloatField(allow_null=True)
    prev_median_days = serializers.FloatField(allow_null=True)
    is_bottleneck = serializers.BooleanField()


class ForecastOutput(serializers.Serializer):
    month = serializers.DateField()
    count = serializers.IntegerField()
    amount = serializers.DecimalField(max_digits=20, decimal_places=2)
    weighted = serializers.DecimalField(max_digits=20, decimal_places=2)


class FunnelOutput(serializers.Serializer):
    start = serializers.DateField(source="filters.start")
    end = serializers.DateField(source="filters.end")
    previous_start = serializers.DateField(source="previous.start")
    previous_end = serializers.DateField(source="previous.end")
    currency = serializers.CharField(source="filters.currency")
    stages = StageFiguresOutput(many=True)
    lost = serializers.IntegerField()
    lost_amount = serializers.DecimalField(max_digits=20, decimal_places=2)
    open_count = serializers.IntegerField()
    weighted_pipeline = serializers.DecimalField(max_digits=20, decimal_places=2)
    forecast = ForecastOutput(many=True)
    bottleneck = serializers.SerializerMethodField()

    def get_bottleneck(self, report) -> str | None:
        from pipeline.funnel.presentation import bottleneck_sentence

        return bottleneck_sentence(report) if report.bottleneck else None


class FunnelView(TenantAPIMixin, APIView):
    """The funnel report; a sales rep gets the funnel of their own deals."""

    @extend_schema(parameters=[FunnelInput], responses=FunnelOutput)
    def get(self, request):
        membership = request.membership
        require_rule(permissions.can_view_funnel, membership)
        data = FunnelInput(data=request.query_params)
        data.is_valid(raise_exception=True)
        params = data.validated_data
        restricted = not permissions.manages_pipeline(membership)
        report = selectors.funnel_report(
            filters.FunnelFilters(
                start=params["start"],
                end=params["end"],
                owner_id=request.user.pk if restricted else params.get("owner"),
                department_id=None if restricted else params.get("team"),
                industry=params.get("industry", ""),
                currency=params["currency"],
            )
        )
        return Response(FunnelOutput(report).data)
