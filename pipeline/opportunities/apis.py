"""REST API of deals: a rep sees only their own."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action

from collab.money import AmountSerializerField
from collab.parsing import BoundedDateSerializerField
from pipeline import permissions
from pipeline.accounts import selectors as accounts_selectors
from pipeline.accounts.apis import PipelineViewSetMixin, ScopedPK, require_rule, seller_choices
from pipeline.opportunities import selectors as opportunities_selectors
from pipeline.opportunities import services
from pipeline.opportunities.models import Currency, LostReason, Opportunity, Stage


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
    account = ScopedPK(accounts_selectors.accounts_visible_to)
    name = serializers.CharField(max_length=200)
    owner = ScopedPK(seller_choices, required=False)
    amount = AmountSerializerField()
    currency = serializers.ChoiceField(choices=Currency.choices, default=Currency.CNY)
    expected_close_date = BoundedDateSerializerField()
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
        return opportunities_selectors.opportunities_visible_to(self.request.membership)

    @extend_schema(request=OpportunityInput, responses={201: OpportunityOutput})
    def create(self, request):
        require_rule(permissions.can_sell, request.membership)
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
        require_rule(permissions.can_edit_opportunity, request.membership, opportunity)
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
        require_rule(permissions.can_edit_opportunity, request.membership, opportunity)
        data = MoveInput(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        opportunity = services.opportunity_move(
            opportunity=opportunity, actor=request.user, **data.validated_data
        )
        return self.out(opportunity)
