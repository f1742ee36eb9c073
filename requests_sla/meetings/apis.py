"""DRF API of issue 4: review meetings (agenda outcomes, action items,
closing), department KPIs and the notification inbox.

Glue over ``selectors``/``kpis`` and the meeting and
notification services, with the pages' permission rules: ``view_meetings``
to read meetings (a head sees the ones they attend or that discuss their
department), ``manage_meetings`` to change them (the services refuse
otherwise), ``view_all_kpis`` / ``view_own_kpis`` for KPIs. Ids in the URL
resolve through the scoped managers and the visibility filter (404).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_serializer
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from collab import parsing
from collab.api import TenantAPIMixin
from collab.parsing import BoundedDateSerializerField, IdSerializerField
from collab.serializers import DepartmentBrief, ScopedPrimaryKeyField, UserBrief
from departments.models import Department
from requests_sla.meetings import kpis, selectors
from requests_sla.meetings import services as meeting_services
from requests_sla.meetings.models import ActionItem, AgendaItem, ReviewMeeting, RootCause

# ---------------------------------------------------------------- output


class RequestBrief(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    title = serializers.CharField()


class ActionItemOutput(serializers.Serializer):
    id = serializers.IntegerField()
    agenda_item_id = serializers.IntegerField()
    title = serializers.CharField()
    owner = UserBrief()
    due_date = serializers.DateField()
    done_at = serializers.DateTimeField(allow_null=True)
    is_overdue = serializers.BooleanField()


class AgendaItemOutput(serializers.Serializer):
    id = serializers.IntegerField()
    meeting_id = serializers.IntegerField()
    request = RequestBrief(allow_null=True)  # empty on a lost-deal post-mortem item
    department = DepartmentBrief(allow_null=True)
    added_at = serializers.DateTimeField()
    root_cause = serializers.CharField()
    note = serializers.CharField()
    classified_at = serializers.DateTimeField(allow_null=True)
    actions = ActionItemOutput(many=True, source="actions.all")


class MeetingOutput(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    scheduled_at = serializers.DateTimeField()
    duration_minutes = serializers.IntegerField()
    location = serializers.CharField()
    status = serializers.CharField()
    chair_id = serializers.IntegerField(allow_null=True)
    item_count = serializers.IntegerField(required=False)
    summary = serializers.CharField()
    closed_at = serializers.DateTimeField(allow_null=True)


class ParticipantOutput(serializers.Serializer):
    user = UserBrief()
    reason = serializers.CharField()


class MeetingDetailOutput(MeetingOutput):
    items = serializers.SerializerMethodField()
    participants = serializers.SerializerMethodField()

    def get_items(self, obj) -> list[dict]:
        return AgendaItemOutput(self.context["detail"]["items"], many=True).data

    def get_participants(self, obj) -> list[dict]:
        return ParticipantOutput(self.context["detail"]["participants"], many=True).data


# ---------------------------------------------------------------- input


class OutcomeInput(serializers.Serializer):
    root_cause = serializers.ChoiceField(choices=RootCause.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000)


class CloseInput(serializers.Serializer):
    summary = serializers.CharField(required=False, allow_blank=True, default="")


class ActionItemCreateInput(serializers.Serializer):
    agenda_item = ScopedPrimaryKeyField(AgendaItem)
    title = serializers.CharField(max_length=300)
    owner = IdSerializerField()
    due_date = BoundedDateSerializerField()


class ActionItemUpdateInput(serializers.Serializer):
    title = serializers.CharField(max_length=300, required=False)
    owner = IdSerializerField(required=False)
    due_date = BoundedDateSerializerField(required=False)


class DoneInput(serializers.Serializer):
    done = serializers.BooleanField(default=True)


# ---------------------------------------------------------------- meetings


def _visible_meetings(membership):
    return selectors.meetings_visible_to(membership)


def _visible_items(membership):
    meetings = _visible_meetings(membership).values("pk")
    return AgendaItem.objects.filter(meeting_id__in=meetings)


class MeetingViewSet(
    TenantAPIMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Review meetings the caller may see, newest first; ``close`` ends one."""

    model = ReviewMeeting
    serializer_class = MeetingOutput
    required_capability = "view_meetings"

    def get_scoped_queryset(self):
        return _visible_meetings(self.request.membership).order_by("-scheduled_at", "-pk")

    def get_object(self):
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])

    def _detail(self, meeting):
        detail = selectors.meeting_detail(meeting)
        return Response(MeetingDetailOutput(meeting, context={"detail": detail}).data)

    @extend_schema(responses=MeetingDetailOutput)
    def retrieve(self, request, *args, **kwargs):
        return self._detail(self.get_object())

    @extend_schema(request=CloseInput, responses=MeetingDetailOutput)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        meeting = self.get_object()
        data = CloseInput(data=request.data)
        data.is_valid(raise_exception=True)
        meeting = meeting_services.meeting_close(
            actor=request.membership, meeting=meeting, **data.validated_data
        )
        return self._detail(self.get_queryset().get(pk=meeting.pk))


class AgendaItemViewSet(TenantAPIMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Agenda items of visible meetings; ``outcome`` records the root cause and note."""

    model = AgendaItem
    serializer_class = AgendaItemOutput
    required_capability = "view_meetings"

    def get_scoped_queryset(self):
        return (
            _visible_items(self.request.membership)
            .select_related("request", "department")
            .prefetch_related(
                Prefetch("actions", queryset=ActionItem.objects.select_related("owner"))
            )
        )

    @extend_schema(request=OutcomeInput, responses=AgendaItemOutput)
    @action(detail=True, methods=["post"])
    def outcome(self, request, pk=None):
        item = self.get_object()
        data = OutcomeInput(data=request.data)
        data.is_valid(raise_exception=True)
        meeting_services.agenda_item_classify(
            actor=request.membership, item=item, **data.validated_data
        )
        return Response(AgendaItemOutput(self.get_queryset().get(pk=item.pk)).data)


class ActionItemViewSet(
    TenantAPIMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Action items of visible meetings: create, update, mark done."""

    model = ActionItem
    serializer_class = ActionItemOutput
    required_capability = None  # an owner ticks their own item; reads need view_meetings

    def get_scoped_queryset(self):
        membership = self.request.membership
        qs = ActionItem.objects.select_related("owner").order_by("due_date", "pk")
        if membership.can("view_meetings"):
            return qs.filter(agenda_item__in=_visible_items(membership).values("pk"))
        return qs.filter(owner_id=membership.user_id)

    @extend_schema(request=ActionItemCreateInput, responses={201: ActionItemOutput})
    def create(self, request):
        data = ActionItemCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        item = values.pop("agenda_item")
        if not _visible_items(request.membership).filter(pk=item.pk).exists():
            raise exceptions.ValidationError(
                {"agenda_item": ["Invalid pk - object does not exist."]}
            )
        created = meeting_services.action_item_add(actor=request.membership, item=item, **values)
        return Response(
            ActionItemOutput(self.get_queryset().get(pk=created.pk)).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(request=ActionItemUpdateInput, responses=ActionItemOutput)
    def partial_update(self, request, pk=None):
        target = self.get_object()
        data = ActionItemUpdateInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        meeting_services.action_item_update(
            actor=request.membership, action=target, **data.validated_data
        )
        return Response(ActionItemOutput(self.get_queryset().get(pk=target.pk)).data)

    @extend_schema(request=DoneInput, responses=ActionItemOutput)
    @action(detail=True, methods=["post"])
    def done(self, request, pk=None):
        target = self.get_object()
        data = DoneInput(data=request.data)
        data.is_valid(raise_exception=True)
        meeting_services.action_item_set_done(
            actor=request.membership, action=target, done=data.validated_data["done"]
        )
        return Response(ActionItemOutput(self.get_queryset().get(pk=target.pk)).data)


# ---------------------------------------------------------------- KPIs


class KpiRowOutput(serializers.Serializer):
    department = DepartmentBrief()
    served = serializers.IntegerField()
    response_met = serializers.IntegerField()
    response_total = serializers.IntegerField()
    response_attainment = serializers.FloatField(allow_null=True)
    resolution_met = serializers.IntegerField()
    resolution_total = serializers.IntegerField()
    resolution_attainment = serializers.FloatField(allow_null=True)
    breaches = serializers.IntegerField()
    subjective = serializers.IntegerField()
    objective = serializers.IntegerField()
    objective_actions = serializers.SerializerMethodField()

    def get_objective_actions(self, row) -> list[dict]:
        # Agenda items (with their request) and, if any, post-mortem findings.
        return [
            {
                "kind": "agenda_item" if isinstance(item, AgendaItem) else "finding",
                "id": item.pk,
                "request": getattr(getattr(item, "request", None), "reference", None),
                "actions": ActionItemOutput(item.action_list, many=True).data,
            }
            for item in row.objective_items
        ]


@extend_schema_serializer(many=False)  # a list action that answers one object
class KpiListOutput(serializers.Serializer):
    """The month and its rows: what ``GET /api/kpis/`` answers (an object)."""

    period = serializers.CharField(help_text="YYYY-MM")
    start = serializers.DateField(help_text="the month's first day")
    end = serializers.DateField(help_text="the next month's first day (exclusive)")
    results = KpiRowOutput(many=True)


class KpiViewSet(TenantAPIMixin, viewsets.ViewSet):
    """Department KPIs of a month (``period=YYYY-MM``, default this month).
    Ops managers and admins see every department, a head their own."""

    model = Department

    def get_scoped_queryset(self):
        return Department.objects.all()

    @extend_schema(
        parameters=[
            OpenApiParameter("period", str, description="YYYY-MM"),
            OpenApiParameter("department", str, description="department id or code"),
        ],
        responses=KpiListOutput,
    )
    def list(self, request):
        department_ids = kpis.kpi_department_ids(request.membership)
        wanted = request.query_params.get("department", "").strip()
        if wanted:
            number = parsing.optional_id(wanted)
            lookup = {"pk": number} if number else {"code": parsing.clean_text(wanted)[:50]}
            department = Department.objects.filter(**lookup).first()
            if department is None or (
                department_ids is not None and department.pk not in department_ids
            ):
                raise Http404
            department_ids = [department.pk]
        try:
            period = kpis.month_period(request.query_params.get("period"))
        except DjangoValidationError as exc:
            raise serializers.ValidationError({"period": exc.messages}) from None
        rows = kpis.department_kpis(period, department_ids=department_ids)
        return Response(
            KpiListOutput(
                {"period": period.label, "start": period.start, "end": period.end, "results": rows}
            ).data
        )


# ---------------------------------------------------------------- notifications
