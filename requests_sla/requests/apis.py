"""DRF API of the collaboration engine: glue over selectors and services.

Input and output serializers are separate. Ids in input resolve through the
scoped managers (another organization's id is "does not exist", a 400 on that
field); ids in the URL through ``selectors.request_get`` (404). Permission
and state rules live in ``permissions``/``services``, shared with the pages.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.http import Http404
from django.utils.translation import gettext as _
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from collab.api import TenantAPIMixin
from collab.parsing import optional_id
from requests_sla.catalog import selectors as catalog_selectors
from requests_sla.catalog.models import Priority
from requests_sla.requests import permissions, selectors
from requests_sla.requests import services as request_services
from requests_sla.requests.downloads import attachment_response
from requests_sla.requests.models import Comment, Request, Status
from requests_sla.requests.serializers import (
    AssignInput,
    AttachmentInput,
    AttachmentOutput,
    BulkAssignInput,
    CommentInput,
    CommentOutput,
    MilestoneInput,
    PromiseInput,
    PromiseOutput,
    ReasonInput,
    RequestCreateInput,
    RequestDetailOutput,
    RequestFiledOutput,
    RequestListOutput,
    ResolveInput,
    TimelineOutput,
    TransferInput,
    WatcherInput,
)
from requests_sla.sla.models import SlaState

User = get_user_model()


# ---------------------------------------------------------------- output


# ---------------------------------------------------------------- input


# ---------------------------------------------------------------- views


class ServiceErrorsMixin:
    """A form-schema error is a 400 keyed by the schema field under ``extra``."""

    def handle_exception(self, exc):
        if isinstance(exc, request_services.SchemaError):
            exc = exceptions.ValidationError({"extra": exc.errors})
        return super().handle_exception(exc)


class RequestFilter(filters.FilterSet):
    status = filters.MultipleChoiceFilter(choices=Status.choices)
    priority = filters.MultipleChoiceFilter(choices=Priority.choices)
    sla_state = filters.MultipleChoiceFilter(choices=SlaState.choices)
    request_type = filters.NumberFilter(field_name="request_type_id")
    serving_department = filters.NumberFilter(field_name="serving_department_id")
    requesting_department = filters.NumberFilter(field_name="requesting_department_id")
    assignee = filters.NumberFilter(field_name="assignee_id")
    requester = filters.NumberFilter(field_name="requester_id")
    created_after = filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = Request
        fields: list[str] = []


REQUEST_ACTIONS = {
    # action: (service, input serializer or None)
    "acknowledge": (request_services.request_acknowledge, None),
    "start": (request_services.request_start, None),
    "pause": (request_services.request_pause, ReasonInput),
    "resume": (request_services.request_resume, None),
    "resolve": (request_services.request_resolve, ResolveInput),
    "close": (request_services.request_close, None),
    "reopen": (request_services.request_reopen, ReasonInput),
    "cancel": (request_services.request_cancel, ReasonInput),
    "reject": (request_services.request_reject, ReasonInput),
}


class RequestViewSet(
    ServiceErrorsMixin,
    TenantAPIMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Collaboration requests the caller may see; lifecycle actions as POSTs."""

    model = Request
    serializer_class = RequestListOutput
    filterset_class = RequestFilter
    ordering_fields = ["created_at", "sla_due_at", "number", "priority", "status"]
    ordering = ["-created_at"]

    def get_scoped_queryset(self):
        return selectors.request_list(self.request.membership)

    def get_object(self):
        return selectors.request_get(self.request.membership, self.kwargs["pk"])

    def get_serializer_context(self):
        return {
            **super().get_serializer_context(),
            "membership": getattr(self.request, "membership", None),
        }

    def _detail(self, request_obj, status_code=status.HTTP_200_OK):
        fresh = selectors.request_get(self.request.membership, request_obj.pk)
        return Response(
            RequestDetailOutput(fresh, context=self.get_serializer_context()).data,
            status=status_code,
        )

    @extend_schema(responses=RequestDetailOutput)
    def retrieve(self, request, *args, **kwargs):
        return self._detail(self.get_object())

    @extend_schema(request=RequestCreateInput, responses={201: RequestFiledOutput})
    def create(self, request):
        data = RequestCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        created = request_services.request_file(
            actor=request.membership,
            request_type=values.pop("request_type"),
            files={key: f for key, f in request.FILES.items()},
            **values,
        )
        return Response(
            RequestFiledOutput(created, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )

    def _act(self, name: str, request, pk):
        service, input_class = REQUEST_ACTIONS[name]
        target = self.get_object()
        kwargs = {}
        if input_class is not None:
            data = input_class(data=request.data)
            data.is_valid(raise_exception=True)
            kwargs = dict(data.validated_data)
            if name in ("pause", "cancel", "reject"):
                kwargs.setdefault("reason", "")
        service(request=target, actor=request.membership, **kwargs)
        return self._detail(target)

    @extend_schema(request=None, responses=RequestDetailOutput)
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        return self._act("acknowledge", request, pk)

    @extend_schema(request=None, responses=RequestDetailOutput)
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        return self._act("start", request, pk)

    @extend_schema(request=ReasonInput, responses=RequestDetailOutput)
    @action(detail=True, methods=["post"])
    def pause(self, request, pk=None):
        return self._act("pause", request, pk)

    @extend_schema(request=None, responses=RequestDetailOutput)
    @action(detail=True, methods=["post"])
    def resume(self, request, pk=None):
        return self._act("resume", request, pk)

    @extend_schema(request=ResolveInput, responses=RequestDetailOutput)
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        return self._act("resolve", request, pk)

    @extend_schema(request=None, responses=RequestDetailOutput)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        return self._act("close", request, pk)

    @extend_schema(request=ReasonInput, responses=RequestDetailOutput)
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        return self._act("reopen", request, pk)

    @extend_schema(request=ReasonInput, responses=RequestDetailOutput)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self._act("cancel", request, pk)

    @extend_schema(request=ReasonInput, responses=RequestDetailOutput)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self._act("reject", request, pk)

    @extend_schema(request=TransferInput, responses=RequestDetailOutput)
    @action(detail=True, methods=["post"])
    def transfer(self, request, pk=None):
        target = self.get_object()
        data = TransferInput(data=request.data)
        data.is_valid(raise_exception=True)
        request_services.request_transfer(
            request=target, actor=request.membership, **data.validated_data
        )
        return self._detail(target)

    @extend_schema(request=AssignInput, responses=RequestDetailOutput)
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        target = self.get_object()
        data = AssignInput(data=request.data)
        data.is_valid(raise_exception=True)
        request_services.request_assign(
            request=target, actor=request.membership, assignee=data.validated_data["assignee"]
        )
        return self._detail(target)

    @extend_schema(request=MilestoneInput, responses=RequestDetailOutput)
    @action(detail=True, methods=["post"], url_path="complete-milestone")
    def complete_milestone(self, request, pk=None):
        target = self.get_object()
        data = MilestoneInput(data=request.data)
        data.is_valid(raise_exception=True)
        request_services.request_milestone_complete(
            request=target, actor=request.membership, key=data.validated_data["key"]
        )
        return self._detail(target)

    @extend_schema(request=BulkAssignInput, responses=RequestListOutput(many=True))
    @action(detail=False, methods=["post"], url_path="bulk-assign")
    def bulk_assign(self, request):
        data = BulkAssignInput(data=request.data)
        data.is_valid(raise_exception=True)
        ids = set(data.validated_data["requests"])
        targets = list(selectors.requests_visible_to(request.membership).filter(pk__in=ids))
        if len(targets) != len(ids):
            raise exceptions.ValidationError({"requests": [_("请求不存在。")]})
        request_services.requests_bulk_assign(
            requests=targets, actor=request.membership, assignee=data.validated_data["assignee"]
        )
        rows = selectors.request_list(request.membership).filter(pk__in=ids).order_by("number")
        return Response(RequestListOutput(rows, many=True).data)

    @extend_schema(responses=RequestListOutput(many=True))
    @action(detail=False, methods=["get"])
    def queue(self, request):
        """The caller's department queue, due-first (filters as the list)."""
        params = request.query_params
        for key in ("request_type", "requesting_department", "department", "assignee"):
            allowed = ("me", "none") if key == "assignee" else ()
            if params.get(key) and params[key] not in allowed and not optional_id(params[key]):
                raise exceptions.ValidationError({key: [_("请输入有效的编号。")]})
        queue = selectors.department_queue(
            request.membership,
            {
                "status": params.getlist("status"),
                "request_type": params.get("request_type"),
                "assignee": params.get("assignee"),
                "sla_state": params.get("sla_state"),
                "requesting_department": params.get("requesting_department"),
                "department": params.get("department"),
            },
        )
        page = self.paginate_queryset(queue)
        return self.get_paginated_response(RequestListOutput(page, many=True).data)

    @extend_schema(parameters=[PromiseInput], responses=PromiseOutput(many=True))
    @action(detail=False, methods=["get"])
    def promise(self, request):
        """The due times promised if the caller files this type and priority now."""
        data = PromiseInput(data=request.query_params)
        data.is_valid(raise_exception=True)
        request_type = data.validated_data["request_type"]
        priority = data.validated_data.get("priority") or request_type.default_priority
        if priority not in request_type.priorities:
            raise exceptions.ValidationError({"priority": [str(Priority(priority).label)]})
        return Response(
            PromiseOutput(catalog_selectors.promised_times(request_type, priority), many=True).data
        )

    # The per-request lists below are whole lists, neither paginated nor
    # filtered like the request list: the schema says so (pagination_class
    # and filter_backends off), and the responses agree.
    @extend_schema(responses=TimelineOutput(many=True))
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def timeline(self, request, pk=None):
        target = self.get_object()
        return Response(
            TimelineOutput(selectors.request_timeline(target, request.membership), many=True).data
        )

    @extend_schema(methods=["GET"], responses=CommentOutput(many=True))
    @extend_schema(methods=["POST"], request=CommentInput, responses={201: CommentOutput})
    @action(detail=True, methods=["get", "post"], pagination_class=None, filter_backends=[])
    def comments(self, request, pk=None):
        target = self.get_object()
        if request.method == "POST":
            data = CommentInput(data=request.data)
            data.is_valid(raise_exception=True)
            comment = request_services.comment_add(
                request=target,
                actor=request.membership,
                files=request.FILES.getlist("files"),
                **data.validated_data,
            )
            comment = (
                Comment.objects.select_related("author")
                .prefetch_related("mentions", "attachments")
                .get(pk=comment.pk)
            )
            return Response(CommentOutput(comment).data, status=status.HTTP_201_CREATED)
        comments = (
            Comment.objects.filter(request=target)
            .select_related("author")
            .prefetch_related("mentions", "attachments__uploaded_by")
        )
        if not permissions.sees_internal_notes(request.membership, target):
            comments = comments.filter(is_internal=False)
        return Response(CommentOutput(comments, many=True).data)

    @extend_schema(methods=["GET"], responses=AttachmentOutput(many=True))
    @extend_schema(
        methods=["POST"],
        request={"multipart/form-data": AttachmentInput},
        responses={201: AttachmentOutput},
    )
    @action(
        detail=True,
        methods=["get", "post"],
        parser_classes=[MultiPartParser, FormParser],
        pagination_class=None,
        filter_backends=[],
    )
    def attachments(self, request, pk=None):
        target = self.get_object()
        if request.method == "POST":
            data = AttachmentInput(data=request.data)
            data.is_valid(raise_exception=True)
            comment = None
            if data.validated_data.get("comment"):
                comment = Comment.objects.filter(
                    pk=data.validated_data["comment"], request=target
                ).first()
                if comment is None or (
                    comment.is_internal
                    and not permissions.sees_internal_notes(request.membership, target)
                ):
                    raise exceptions.ValidationError({"comment": [_("评论不存在。")]})
            attachment = request_services.attachment_add(
                request=target,
                actor=request.membership,
                file=data.validated_data["file"],
                comment=comment,
            )
            return Response(AttachmentOutput(attachment).data, status=status.HTTP_201_CREATED)
        rows = selectors.attachments_of(request.membership, target)
        return Response(AttachmentOutput(rows, many=True).data)

    @extend_schema(
        request=None,
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY},
        parameters=[OpenApiParameter("attachment_id", int, OpenApiParameter.PATH)],
    )
    @action(detail=True, methods=["get"], url_path=r"attachments/(?P<attachment_id>[0-9]+)")
    def attachment_download(self, request, pk=None, attachment_id=None):
        """An attachment's file, under the same rule as the list (an internal
        note's file only for those who read internal notes); 404 otherwise."""
        target = self.get_object()
        attachment = selectors.attachment_get(request.membership, attachment_id)
        if attachment.request_id != target.pk:
            raise Http404
        return attachment_response(attachment)

    @extend_schema(request=WatcherInput, responses=RequestDetailOutput)
    @action(detail=True, methods=["post", "delete"])
    def watchers(self, request, pk=None):
        """Watch (POST) or unwatch (DELETE) a request; ``user`` defaults to the caller."""
        target = self.get_object()
        data = WatcherInput(data=request.data)
        data.is_valid(raise_exception=True)
        user_id = data.validated_data.get("user") or request.user.pk
        user = User.objects.filter(pk=user_id).first()
        if user is None:
            raise exceptions.ValidationError({"user": [_("用户不存在。")]})
        service = (
            request_services.watcher_add
            if request.method == "POST"
            else request_services.watcher_remove
        )
        service(request=target, actor=request.membership, user=user)
        return self._detail(target)


# ---------------------------------------------------------------- catalog


# ---------------------------------------------------------------- calendars


# ---------------------------------------------------------------- notifications
