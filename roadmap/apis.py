"""DRF API of requirement review: the same services and permissions as the
pages (reps cannot assess or decide; R&D cannot decide alone). A foreign id is
a 404; a refused rule a field-level 400 (collab.api's exception handler)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from collab.api import TenantAPIMixin
from roadmap import selectors
from roadmap import serializers as s
from roadmap.models import Backer, Prototype, Release, Requirement, ReviewBoard
from roadmap.services import assessments, boards, prototypes, releases, requirements

ERRORS = {
    400: OpenApiResponse(description="Field errors; nothing was written"),
    403: OpenApiResponse(description="Your role may not do this"),
    404: OpenApiResponse(description="No such object in your organization"),
}


def _detail(requirement: Requirement) -> dict:
    selectors.with_revenue([requirement])
    requirement.backer_rows = list(Backer.objects.filter(requirement=requirement))
    return s.RequirementDetailOutput(requirement).data


class RequirementViewSet(
    TenantAPIMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Requirements: list (a queue), one, submit, back, assess, merge, prototype, verdict."""

    model = Requirement
    serializer_class = s.RequirementOutput

    def get_scoped_queryset(self):
        return selectors.requirements_list(
            state=self.request.query_params.get("state", ""),
            queue=self.request.query_params.get("queue", "all"),
            user_id=self.request.user.pk,
        )

    @extend_schema(
        parameters=[
            OpenApiParameter("queue", str, enum=["all", "mine", "assess", "review", "validate"]),
            OpenApiParameter("state", str),
        ]
    )
    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        selectors.with_revenue(page)
        return self.get_paginated_response(s.RequirementOutput(page, many=True).data)

    @extend_schema(responses={200: s.RequirementDetailOutput, **ERRORS})
    def retrieve(self, request, *args, **kwargs):
        return Response(_detail(self.get_object()))

    @extend_schema(request=s.SubmitInput, responses={201: s.RequirementDetailOutput, **ERRORS})
    def create(self, request):
        data = _valid(s.SubmitInput, request)
        requirement = requirements.requirement_submit(actor=request.membership, **data)
        return Response(_detail(requirement), status=status.HTTP_201_CREATED)

    @extend_schema(request=s.BackInput, responses={200: s.RequirementDetailOutput, **ERRORS})
    @action(detail=True, methods=["post"])
    def back(self, request, pk=None):
        requirement = self.get_object()
        requirements.requirement_back(
            actor=request.membership, requirement=requirement, **_valid(s.BackInput, request)
        )
        return Response(_detail(requirement))

    @extend_schema(request=s.AssessInput, responses={200: s.RequirementDetailOutput, **ERRORS})
    @action(detail=True, methods=["post"])
    def assess(self, request, pk=None):
        requirement = assessments.assessment_record(
            actor=request.membership,
            requirement=self.get_object(),
            **_valid(s.AssessInput, request),
        )
        return Response(_detail(requirement))

    @extend_schema(request=s.MergeInput, responses={200: s.RequirementDetailOutput, **ERRORS})
    @action(detail=True, methods=["post"])
    def merge(self, request, pk=None):
        duplicate = self.get_object()
        into = Requirement.objects.filter(pk=_valid(s.MergeInput, request)["into"]).first()
        if into is None:
            raise ValidationError({"into": [_("需求不存在。")]})
        into = requirements.requirement_merge(
            actor=request.membership, duplicate=duplicate, into=into
        )
        return Response(_detail(into))

    @extend_schema(request=s.PrototypeInput, responses={200: s.RequirementDetailOutput, **ERRORS})
    @action(detail=True, methods=["post"])
    def prototype(self, request, pk=None):
        requirement = self.get_object()  # a foreign id is a 404 before the body is read
        data = _valid(s.PrototypeInput, request)
        customers = [(c["account_id"], c["contact_id"]) for c in data.pop("customers")]
        prototypes.prototype_start(
            actor=request.membership, requirement=requirement, customers=customers, **data
        )
        return Response(_detail(self.get_object()))

    @extend_schema(request=s.VerdictInput, responses={200: s.RequirementDetailOutput, **ERRORS})
    @action(detail=True, methods=["post"])
    def verdict(self, request, pk=None):
        requirement = self.get_object()
        prototype = get_object_or_404(Prototype, requirement=requirement)
        prototypes.verdict_record(
            actor=request.membership, prototype=prototype, **_valid(s.VerdictInput, request)
        )
        return Response(_detail(requirement))


def _valid(serializer_class, request) -> dict:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


class ReviewBoardViewSet(
    TenantAPIMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Review boards: list, one with its scored agenda, record a decision."""

    model = ReviewBoard
    serializer_class = s.BoardOutput

    def get_scoped_queryset(self):
        return ReviewBoard.objects.order_by("-starts_at")

    @extend_schema(responses={200: s.BoardDetailOutput, **ERRORS})
    def retrieve(self, request, *args, **kwargs):
        board = self.get_object()
        board.agenda = boards.agenda_refresh(board)
        board.score_formula = str(selectors.score.__doc__ or "").strip()
        return Response(s.BoardDetailOutput(board).data)

    @extend_schema(request=s.DecideInput, responses={200: s.BoardItemOutput, **ERRORS})
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        board = self.get_object()
        data = _valid(s.DecideInput, request)
        requirement = Requirement.objects.filter(pk=data.pop("requirement_id")).first()
        if requirement is None:
            raise ValidationError({"requirement_id": [_("该需求不在本次评审会的议程上。")]})
        release_id = data.pop("release_id")
        release = Release.objects.filter(pk=release_id).first() if release_id else None
        if release_id and release is None:
            raise ValidationError({"release_id": [_("请选择版本。")]})
        item = boards.board_decide(
            actor=request.membership, board=board, requirement=requirement, release=release, **data
        )
        return Response(s.BoardItemOutput(item).data)


class ReleaseViewSet(
    TenantAPIMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Releases: list, one, create, ship."""

    model = Release
    serializer_class = s.ReleaseOutput

    def get_scoped_queryset(self):
        return Release.objects.order_by("-planned_on", "-id")

    @extend_schema(request=s.ReleaseInput, responses={201: s.ReleaseOutput, **ERRORS})
    def create(self, request):
        release = releases.release_create(
            actor=request.membership, **_valid(s.ReleaseInput, request)
        )
        return Response(s.ReleaseOutput(release).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: s.ReleaseOutput, **ERRORS})
    @action(detail=True, methods=["post"])
    def ship(self, request, pk=None):
        release = self.get_object()
        releases.release_ship(actor=request.membership, release=release)
        release.refresh_from_db()
        return Response(s.ReleaseOutput(release).data)
