"""REST API of follow-ups."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets

from collab.parsing import BoundedDateTimeSerializerField, IdSerializerField
from pipeline import permissions
from pipeline.accounts import selectors as accounts_selectors
from pipeline.accounts.apis import PipelineViewSetMixin, ScopedPK
from pipeline.followups import selectors as followups_selectors
from pipeline.followups import services
from pipeline.followups.models import FollowUp, FollowUpKind


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
    account = ScopedPK(accounts_selectors.accounts_visible_to)
    request_id = IdSerializerField(required=False, allow_null=True)
    kind = serializers.ChoiceField(choices=FollowUpKind.choices)
    scheduled_for = BoundedDateTimeSerializerField()
    done_at = BoundedDateTimeSerializerField(required=False, allow_null=True)
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
        return followups_selectors.follow_ups_visible_to(self.request.membership)

    @extend_schema(request=FollowUpInput, responses={201: FollowUpOutput})
    def create(self, request):
        data = FollowUpInput(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        follow_up = services.followup_create(actor=request.user, **data.validated_data)
        return self.out(follow_up, status.HTTP_201_CREATED)
