"""DRF API of approvals: my pending steps, one step, act on it.

A step of another organization, or of a request the caller cannot see, is a
404; acting on a step not yours is a 400, on a decided step (a second click)
a 409 that changes nothing.
"""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from collab.api import TenantAPIMixin
from requests_sla.approvals import selectors, services
from requests_sla.approvals.models import ApprovalStep
from requests_sla.approvals.serializers import ActInput, StepOutput


@extend_schema_view(
    list=extend_schema(description="The caller's approval steps awaiting their decision."),
    retrieve=extend_schema(description="One approval step of a request the caller may see."),
)
class ApprovalStepViewSet(
    TenantAPIMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Approval steps: the caller's pending ones, one step, acting on it."""

    model = ApprovalStep
    serializer_class = StepOutput

    def get_scoped_queryset(self):
        return selectors.pending_for(self.request.membership)

    def get_object(self):
        try:
            return selectors.step_visible(self.request.membership, self.kwargs["pk"])
        except (ApprovalStep.DoesNotExist, ValueError):
            raise Http404 from None

    @extend_schema(
        description="Approve, reject (reason required) or send back (reason required).",
        request=ActInput,
        responses={
            200: StepOutput,
            400: OpenApiResponse(description="Bad input, or the step is not yours"),
            404: OpenApiResponse(description="No such step visible to you"),
            409: OpenApiResponse(description="The step was already decided"),
        },
    )
    @action(detail=True, methods=["post"])
    def act(self, request, pk=None):
        step = self.get_object()
        data = ActInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            step = services.step_act(
                step_id=step.pk,
                actor=request.membership,
                action=data.validated_data["action"],
                reason=data.validated_data["reason"],
            )
        except services.StepConflict as exc:
            return Response({"detail": exc.message}, status=status.HTTP_409_CONFLICT)
        return Response(StepOutput(step).data)
