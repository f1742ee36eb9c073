"""REST API of the customer side: the same rules as the pages (pipeline.permissions),
input and output serializers apart, field-level 400s from ServiceError."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from collab.api import TenantAPIMixin
from departments.models import Department

from . import permissions, selectors, services
from .models import (
    Account,
    AccountSize,
    Currency,
    FollowUp,
    FollowUpKind,
    Industry,
    Lead,
    LeadKind,
    LeadSource,
    LostReason,
    Opportunity,
    Stage,
)


class ScopedPK(serializers.PrimaryKeyRelatedField):
    """A foreign key resolved through a queryset built per request (visibility)."""

    def __init__(self, queryset_for, **kwargs):
        self.queryset_for = queryset_for
        super().__init__(queryset=Account.objects.none(), **kwargs)

    def get_queryset(self):
        return self.queryset_for(self.context["request"].membership)


def _members(membership):
    return selectors.seller_users()


def _require(rule, membership, *args) -> None:
    if not rule(membership, *args):
        raise exceptions.PermissionDenied()


class PipelineViewSetMixin(TenantAPIMixin):
    rule = staticmethod(permissions.can_view_pipeline)

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        _require(self.rule, request.membership)

    def out(self, instance, code=status.HTTP_200_OK):
        return Response(self.get_serializer(instance).data, status=code)


# --- accounts ------------------------------------------------------------------------------


class ContactOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    title = serializers.CharField()
    phone = serializers.CharField()
    email = serializers.CharField()


class AccountOutput(serializers.ModelSerializer):
    owner = serializers.CharField(source="owner.username")
    contacts = ContactOutput(many=True, read_only=True)

    class Meta:
        model = Account
        fields = [
            "id",
            "name",
            "industry",
            "size",
            "is_key_account",
            "owner",
            "contacts",
            "created_at",
        ]


class AccountInput(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    industry = serializers.ChoiceField(choices=Industry.choices)
    size = serializers.ChoiceField(choices=AccountSize.choices)
    is_key_account = serializers.BooleanField(default=False)
    owner = ScopedPK(_members, required=False)


class ContactInput(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    title = serializers.CharField(max_length=100, required=False, default="", allow_blank=True)
    phone = serializers.CharField(max_length=40, required=False, default="", allow_blank=True)
    email = serializers.EmailField(required=False, default="", allow_blank=True)


class AccountViewSet(
    PipelineViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Accounts (customers): a rep sees their own, managers and Customer Success all."""

    model = Account
    serializer_class = AccountOutput
    filterset_fields = ["industry", "size", "is_key_account"]
    ordering_fields = ["name", "created_at"]

    def get_scoped_queryset(self):
        return selectors.accounts_visible_to(self.request.membership).prefetch_related("contacts")

    def _owner(self, data):
        membership = self.request.membership
        if not permissions.manages_pipeline(membership):
            data["owner"] = self.request.user
        data.setdefault("owner", self.request.user)
        return data

    @extend_schema(request=AccountInput, responses={201: AccountOutput})
    def create(self, request):
        _require(permissions.can_sell, request.membership)
        data = AccountInput(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        account = services.account_create(
            actor=request.user, **self._owner(dict(data.validated_data))
        )
        return self.out(account, status.HTTP_201_CREATED)

    @extend_schema(request=AccountInput, responses=AccountOutput)
    def partial_update(self, request, pk=None):
        account = self.get_object()
        _require(permissions.can_edit_account, request.membership, account)
        data = AccountInput(data=request.data, partial=True, context={"request": request})
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        if "owner" in fields and not permissions.manages_pipeline(request.membership):
            raise exceptions.ValidationError({"owner": ["only a manager can reassign an account"]})
        account = services.account_update(account=account, actor=request.user, **fields)
        return self.out(account)

    @extend_schema(request=ContactInput, responses={201: ContactOutput})
    @action(detail=True, methods=["post"])
    def contacts(self, request, pk=None):
        account = self.get_object()
        _require(permissions.can_edit_account, request.membership, account)
        data = ContactInput(data=request.data)
        data.is_valid(raise_exception=True)
        contact = services.contact_add(account=account, actor=request.user, **data.validated_data)
        return Response(ContactOutput(contact).data, status=status.HTTP_201_CREATED)


# --- opportunities ---------------------------------------------------------------------------


class StageOutput(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True)

    class Meta:
        model = Stage
        fields = [
            "id",
            "code",
            "name",
            "name_zh",
            "name_en",
            "order",
            "default_probability",
            "is_won",
            "is_lost",
        ]


class OpportunityOutput(serializers.ModelSerializer):
    owner = serializers.CharField(source="owner.username")
    stage = StageOutput()
    account_name = serializers.CharField(source="account.name")

    class Meta:
        model = Opportunity
        fields = [
            "id",
            "name",
            "account",
            "account_name",
            "owner",
            "amount",
            "currency",
            "expected_close_date",
            "stage",
            "probability",
            "next_step",
            "lost_reason",
            "lost_note",
            "stage_entered_at",
            "created_at",
        ]


class OpportunityInput(serializers.Serializer):
    account = ScopedPK(selectors.accounts_visible_to)
    name = serializers.CharField(max_length=200)
    owner = ScopedPK(_members, required=False)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0)
    currency = serializers.ChoiceField(choices=Currency.choices, default=Currency.CNY)
    expected_close_date = serializers.DateField()
    probability = serializers.IntegerField(min_value=0, max_value=100, required=False)
    next_step = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class MoveInput(serializers.Serializer):
    stage = ScopedPK(lambda membership: Stage.objects.all())
    lost_reason = serializers.ChoiceField(choices=LostReason.choices, required=False, default="")
    lost_note = serializers.CharField(required=False, allow_blank=True, default="")
    probability = serializers.IntegerField(min_value=0, max_value=100, required=False)


class OpportunityViewSet(
    PipelineViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Opportunities: a rep sees only their own."""

    model = Opportunity
    serializer_class = OpportunityOutput
    filterset_fields = ["stage", "owner", "account", "currency"]
    ordering_fields = ["expected_close_date", "amount", "created_at"]

    def get_scoped_queryset(self):
        return selectors.opportunities_visible_to(self.request.membership)

    @extend_schema(request=OpportunityInput, responses={201: OpportunityOutput})
    def create(self, request):
        _require(permissions.can_sell, request.membership)
        data = OpportunityInput(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        if not permissions.manages_pipeline(request.membership):
            fields["owner"] = request.user
        fields.setdefault("owner", request.user)
        opportunity = services.opportunity_create(actor=request.user, **fields)
        return self.out(opportunity, status.HTTP_201_CREATED)

    @extend_schema(request=OpportunityInput, responses=OpportunityOutput)
    def partial_update(self, request, pk=None):
        opportunity = self.get_object()
        _require(permissions.can_edit_opportunity, request.membership, opportunity)
        data = OpportunityInput(data=request.data, partial=True, context={"request": request})
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        if "owner" in fields and not permissions.manages_pipeline(request.membership):
            raise exceptions.ValidationError({"owner": ["only a manager can reassign a deal"]})
        opportunity = services.opportunity_update(
            opportunity=opportunity, actor=request.user, **fields
        )
        return self.out(opportunity)

    @extend_schema(request=MoveInput, responses=OpportunityOutput)
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):
        opportunity = self.get_object()
        _require(permissions.can_edit_opportunity, request.membership, opportunity)
        data = MoveInput(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        opportunity = services.opportunity_move(
            opportunity=opportunity, actor=request.user, **data.validated_data
        )
        return self.out(opportunity)


# --- leads -----------------------------------------------------------------------------------


class LeadOutput(serializers.ModelSerializer):
    account_name = serializers.CharField(source="account.name")
    created_by = serializers.CharField(source="created_by.username")

    class Meta:
        model = Lead
        fields = [
            "id",
            "account",
            "account_name",
            "source",
            "kind",
            "estimated_amount",
            "description",
            "follow_up",
            "created_by",
            "created_at",
            "status",
            "reject_reason",
            "decided_at",
            "opportunity",
            "owner_notified_at",
        ]


class LeadInput(serializers.Serializer):
    account = ScopedPK(selectors.accounts_visible_to)
    source = serializers.ChoiceField(choices=LeadSource.choices)
    kind = serializers.ChoiceField(choices=LeadKind.choices)
    estimated_amount = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0)
    description = serializers.CharField()
    follow_up = ScopedPK(selectors.follow_ups_visible_to, required=False, allow_null=True)


class RejectInput(serializers.Serializer):
    reason = serializers.CharField()


class LeadViewSet(
    PipelineViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Repeat-purchase and upsell leads: Customer Success creates, the account owner decides."""

    model = Lead
    serializer_class = LeadOutput
    filterset_fields = ["status", "source", "kind", "account"]
    rule = staticmethod(permissions.can_view_leads)

    def get_scoped_queryset(self):
        return selectors.leads_visible_to(self.request.membership)

    @extend_schema(request=LeadInput, responses={201: LeadOutput})
    def create(self, request):
        _require(permissions.can_manage_leads, request.membership)
        data = LeadInput(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        lead = services.lead_create(actor=request.user, **data.validated_data)
        return self.out(lead, status.HTTP_201_CREATED)

    def _decidable(self):
        lead = self.get_object()
        _require(permissions.can_decide_lead, self.request.membership, lead)
        return lead

    @extend_schema(request=None, responses=LeadOutput)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        return self.out(services.lead_accept(lead=self._decidable(), actor=request.user))

    @extend_schema(request=RejectInput, responses=LeadOutput)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        lead = self._decidable()
        data = RejectInput(data=request.data)
        data.is_valid(raise_exception=True)
        return self.out(services.lead_reject(lead=lead, actor=request.user, **data.validated_data))

    @extend_schema(request=None, responses=LeadOutput)
    @action(detail=True, methods=["post"])
    def convert(self, request, pk=None):
        return self.out(services.lead_convert(lead=self._decidable(), actor=request.user))


# --- follow-ups ------------------------------------------------------------------------------


class FollowUpOutput(serializers.ModelSerializer):
    by = serializers.CharField(source="by.username")

    class Meta:
        model = FollowUp
        fields = [
            "id",
            "account",
            "request_id",
            "kind",
            "scheduled_for",
            "done_at",
            "csat",
            "comment",
            "by",
        ]


class FollowUpInput(serializers.Serializer):
    account = ScopedPK(selectors.accounts_visible_to)
    request_id = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    kind = serializers.ChoiceField(choices=FollowUpKind.choices)
    scheduled_for = serializers.DateTimeField()
    done_at = serializers.DateTimeField(required=False, allow_null=True)
    csat = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=5)
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class FollowUpViewSet(
    PipelineViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    model = FollowUp
    serializer_class = FollowUpOutput
    filterset_fields = ["account", "kind"]
    rule = staticmethod(
        lambda m: permissions.can_view_pipeline(m) or permissions.can_manage_leads(m)
    )

    def get_scoped_queryset(self):
        return selectors.follow_ups_visible_to(self.request.membership)

    @extend_schema(request=FollowUpInput, responses={201: FollowUpOutput})
    def create(self, request):
        data = FollowUpInput(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        follow_up = services.followup_create(actor=request.user, **data.validated_data)
        return self.out(follow_up, status.HTTP_201_CREATED)


# --- funnel ----------------------------------------------------------------------------------


class FunnelInput(serializers.Serializer):
    start = serializers.DateField(required=False)
    end = serializers.DateField(required=False)
    owner = serializers.IntegerField(required=False)
    team = serializers.IntegerField(required=False)
    industry = serializers.ChoiceField(choices=Industry.choices, required=False)
    currency = serializers.ChoiceField(choices=Currency.choices, default=Currency.CNY)

    def validate(self, attrs):
        default = selectors.default_filters(attrs.get("end"))
        attrs.setdefault("end", default.end)
        attrs.setdefault("start", default.start)
        if attrs["start"] > attrs["end"]:
            raise serializers.ValidationError({"start": ["start must not be after end"]})
        if (attrs["end"] - attrs["start"]).days > 3 * 366:
            raise serializers.ValidationError({"start": ["the period is at most three years"]})
        if "team" in attrs and not Department.objects.filter(pk=attrs["team"]).exists():
            raise serializers.ValidationError({"team": ["no such team"]})
        if "owner" in attrs and not selectors.sellers().filter(user_id=attrs["owner"]).exists():
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
        from .reports import bottleneck_sentence

        return bottleneck_sentence(report) if report.bottleneck else None


class FunnelView(TenantAPIMixin, APIView):
    """The funnel report; a sales rep gets the funnel of their own deals."""

    @extend_schema(parameters=[FunnelInput], responses=FunnelOutput)
    def get(self, request):
        membership = request.membership
        _require(permissions.can_view_funnel, membership)
        data = FunnelInput(data=request.query_params)
        data.is_valid(raise_exception=True)
        params = data.validated_data
        restricted = not permissions.manages_pipeline(membership)
        report = selectors.funnel_report(
            selectors.FunnelFilters(
                start=params["start"],
                end=params["end"],
                owner_id=request.user.pk if restricted else params.get("owner"),
                department_id=None if restricted else params.get("team"),
                industry=params.get("industry", ""),
                currency=params["currency"],
            )
        )
        return Response(FunnelOutput(report).data)
