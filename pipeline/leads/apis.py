"""REST API of leads."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action

from collab.money import AmountSerializerField
from pipeline import permissions
from pipeline.accounts import selectors as accounts_selectors
from pipeline.accounts.apis import PipelineViewSetMixin, ScopedPK, require_rule
from pipeline.followups import selectors as followups_selectors
from pipeline.leads import selectors as leads_selectors
from pipeline.leads import services
from pipeline.leads.models import Lead, LeadKind, LeadSource


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
    account = ScopedPK(accounts_selectors.accounts_visible_to)
    source = serializers.ChoiceField(choices=LeadSource.choices)
    kind = serializers.ChoiceField(choices=LeadKind.choices)
    estimated_amount = AmountSerializerField()
    description = serializers.CharField()
    follow_up = ScopedPK(followups_selectors.follow_ups_visible_to, required=False, allow_null=True)


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
        return leads_selectors.leads_visible_to(self.request.membership)

    @extend_schema(request=LeadInput, responses={201: LeadOutput})
    def create(self, request):
        require_rule(permissions.can_manage_leads, request.membership)
        data = LeadInput(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        lead = services.lead_create(actor=request.user, **data.validated_data)
        return self.out(lead, status.HTTP_201_CREATED)

    def _decidable(self):
        lead = self.get_object()
        require_rule(permissions.can_decide_lead, self.request.membership, lead)
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
