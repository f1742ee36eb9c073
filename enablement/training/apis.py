"""REST API of training: every member reads courses and sessions and their
own enrolments (and takes their check); Product Management and HR create
courses, add sessions, enrol members and read every enrolment."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from collab.api import TenantAPIMixin
from collab.parsing import (
    BoundedDateSerializerField,
    BoundedDateTimeSerializerField,
    IdSerializerField,
)
from enablement import permissions
from enablement.training import selectors, services
from enablement.training.models import Course, CourseSession, Enrolment


class CourseOutput(serializers.ModelSerializer):
    owner_department = serializers.CharField(source="owner_department.code")
    assets = serializers.SerializerMethodField()
    questions = serializers.SerializerMethodField()
    url = serializers.CharField(source="get_absolute_url")

    class Meta:
        model = Course
        fields = [
            "id",
            "title_zh",
            "title_en",
            "description",
            "owner_department",
            "pass_mark",
            "due_on",
            "bundle",
            "price_list",
            "assets",
            "questions",
            "created_at",
            "url",
        ]

    def get_assets(self, obj) -> list[int]:
        return [x.asset_id for x in obj.asset_links.all()]

    def get_questions(self, obj) -> int:
        return len(obj.questions.all())


class CourseQuestionInput(serializers.Serializer):
    text = serializers.CharField(max_length=500)
    options = serializers.ListField(
        child=serializers.CharField(max_length=200), min_length=2, max_length=6
    )
    answer = serializers.IntegerField(min_value=0, max_value=5)


class CourseInput(serializers.Serializer):
    title_zh = serializers.CharField(max_length=200)
    title_en = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    description = serializers.CharField(
        max_length=5000, required=False, allow_blank=True, default=""
    )
    pass_mark = serializers.IntegerField(min_value=1, max_value=100, default=80)
    due_on = BoundedDateSerializerField(required=False, allow_null=True, default=None)
    assets = serializers.ListField(
        child=IdSerializerField(), required=False, default=list, max_length=100
    )
    questions = CourseQuestionInput(many=True, required=False, default=list)

    def course_fields(self) -> services.CourseFields:
        data = dict(self.validated_data)
        data["questions"] = [services.Question(**q) for q in data["questions"]]
        return services.CourseFields(**data)


class CourseSessionOutput(serializers.ModelSerializer):
    # Blank for a session in a room: a plain string, not the schema's "uri" format.
    link = serializers.CharField()

    class Meta:
        model = CourseSession
        fields = [
            "id",
            "course",
            "starts_at",
            "ends_at",
            "place",
            "link",
            "trainer",
            "outside_hours",
        ]


class CourseSessionInput(serializers.Serializer):
    starts_at = BoundedDateTimeSerializerField()
    ends_at = BoundedDateTimeSerializerField()
    place = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    link = serializers.URLField(max_length=200, required=False, allow_blank=True, default="")
    trainer = IdSerializerField(required=False, allow_null=True, default=None)
    # The organizer's override: a session off the business calendar (a
    # weekend, a holiday, outside working hours) is refused without it.
    outside_hours = serializers.BooleanField(required=False, default=False)


class EnrolmentOutput(serializers.ModelSerializer):
    user = serializers.CharField(source="user.username")
    overdue = serializers.BooleanField(source="is_overdue")

    class Meta:
        model = Enrolment
        fields = [
            "id",
            "course",
            "user",
            "enrolled_at",
            "due_on",
            "attended_session",
            "score",
            "attempts",
            "completed_at",
            "overdue",
        ]


class EnrolInput(serializers.Serializer):
    users = serializers.ListField(child=IdSerializerField(), min_length=1, max_length=1000)
    due_on = BoundedDateSerializerField(required=False, allow_null=True, default=None)


class EnrolResultOutput(serializers.Serializer):
    enrolled = serializers.IntegerField()


class CourseCheckInput(serializers.Serializer):
    answers = serializers.ListField(
        child=serializers.IntegerField(min_value=0, max_value=5), max_length=20
    )


class CourseViewSet(
    TenantAPIMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Courses: every member reads; Product Management and HR create them."""

    model = Course
    serializer_class = CourseOutput

    def get_scoped_queryset(self):
        return Course.objects.select_related("owner_department").prefetch_related(
            "asset_links", "questions"
        )

    @extend_schema(request=CourseInput, responses={201: CourseOutput})
    def create(self, request):
        data = CourseInput(data=request.data)
        data.is_valid(raise_exception=True)
        course = services.course_create(actor=request.membership, fields=data.course_fields())
        return Response(
            CourseOutput(self.get_scoped_queryset().get(pk=course.pk)).data,
            status=status.HTTP_201_CREATED,
        )


class _CourseAPI(TenantAPIMixin, APIView):
    model = CourseSession

    def course(self, pk: int) -> Course:
        return selectors.course_get(self.request.membership, pk)


class CourseSessionsAPI(_CourseAPI):
    @extend_schema(responses={200: CourseSessionOutput(many=True)})
    def get(self, request, pk: int):
        return Response(CourseSessionOutput(self.course(pk).sessions.all(), many=True).data)

    @extend_schema(request=CourseSessionInput, responses={201: CourseSessionOutput})
    def post(self, request, pk: int):
        course = self.course(pk)
        data = CourseSessionInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        values["trainer_id"] = values.pop("trainer")
        made = services.session_add(actor=request.membership, course=course, **values)
        return Response(CourseSessionOutput(made).data, status=status.HTTP_201_CREATED)


class CourseEnrolmentsAPI(_CourseAPI):
    """A course's enrolments (managers all of them, a member their own) and
    enrolling members (managers)."""

    model = Enrolment

    @extend_schema(responses={200: EnrolmentOutput(many=True)})
    def get(self, request, pk: int):
        rows = selectors.enrolments_of_course(self.course(pk))
        if not permissions.can_manage_courses(request.membership):
            rows = rows.filter(user_id=request.membership.user_id)
        return Response(EnrolmentOutput(rows[:2000], many=True).data)

    @extend_schema(request=EnrolInput, responses={201: EnrolResultOutput})
    def post(self, request, pk: int):
        course = self.course(pk)
        data = EnrolInput(data=request.data)
        data.is_valid(raise_exception=True)
        n = services.enrol(
            actor=request.membership,
            course=course,
            user_ids=data.validated_data["users"],
            due_on=data.validated_data["due_on"],
        )
        return Response({"enrolled": n}, status=status.HTTP_201_CREATED)


class MyEnrolmentsAPI(TenantAPIMixin, APIView):
    """The caller's own enrolments."""

    model = Enrolment

    @extend_schema(responses={200: EnrolmentOutput(many=True)})
    def get(self, request):
        rows = selectors.my_enrolments(request.membership)[:500]
        return Response(EnrolmentOutput(rows, many=True).data)


class EnrolmentCheckAPI(TenantAPIMixin, APIView):
    """The caller takes the check of their own enrolment."""

    model = Enrolment

    @extend_schema(request=CourseCheckInput, responses={200: EnrolmentOutput})
    def post(self, request, pk: int):
        enrolment = selectors.enrolment_get(request.membership, pk)
        data = CourseCheckInput(data=request.data)
        data.is_valid(raise_exception=True)
        done = services.check_submit(
            actor=request.membership, enrolment=enrolment, answers=data.validated_data["answers"]
        )
        return Response(EnrolmentOutput(done).data)
