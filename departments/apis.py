from django.conf import settings
from django.contrib.auth import authenticate
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, mixins, serializers, viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from collab.api import OrganizationHeaderRequired, TenantAPIMixin, membership_for_api
from collab.parsing import validate_email_lengths

from . import services
from .models import Department, Membership
from .selectors import department_directory


class DepartmentOutput(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True)
    heads = serializers.SerializerMethodField()

    class Meta:
        model = Department
        fields = [
            "id",
            "code",
            "name",
            "name_zh",
            "name_en",
            "stage",
            "duties_zh",
            "duties_en",
            "deliverables_zh",
            "deliverables_en",
            "is_business",
            "leads_postmortems",
            "heads",
        ]

    def get_heads(self, obj) -> list[str]:
        return [m.user.username for m in getattr(obj, "people", []) if m.role == "dept_head"]


class DepartmentViewSet(
    TenantAPIMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """The departments of the organization in scope (read-only)."""

    model = Department
    serializer_class = DepartmentOutput
    filterset_fields = ["stage", "code"]
    ordering_fields = ["sort_order", "code"]

    def get_scoped_queryset(self):
        return department_directory()


class MembershipOutput(serializers.ModelSerializer):
    organization = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    # A membership without a department (an admin, an ops manager) is null.
    department = serializers.CharField(
        source="department.code", default=None, read_only=True, allow_null=True
    )

    class Meta:
        model = Membership
        fields = ["organization", "organization_name", "role", "department"]


class MeOutput(serializers.Serializer):
    username = serializers.CharField()
    email = serializers.EmailField(max_length=254, validators=[validate_email_lengths])
    organization = serializers.CharField(
        allow_null=True,
        help_text="The organization this call acts in; null when you belong to several "
        "and sent no X-Organization with a token.",
    )
    memberships = MembershipOutput(many=True)


class MeView(APIView):
    """Who am I, and which organizations may I act in (send X-Organization).

    Answers even a token client of several organizations that named none
    (``organization`` is then null), so a client can discover the slugs.
    """

    @extend_schema(responses=MeOutput)
    def get(self, request):
        try:
            membership = membership_for_api(request)
        except OrganizationHeaderRequired:
            membership = None
        if membership is None and request.headers.get("X-Organization", "").strip():
            # A header naming an organization the caller is not in: 404, as
            # on every other endpoint (never an answer "about" that one).
            raise Http404
        return Response(
            MeOutput(
                {
                    "username": request.user.username,
                    "email": request.user.email,
                    "organization": membership.organization.slug if membership else None,
                    "memberships": request._request.memberships,
                }
            ).data
        )


class TokenInput(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=4096, style={"input_type": "password"})
    name = serializers.CharField(max_length=100, required=False, default="API")
    days = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=settings.COLLAB_API_TOKEN_MAX_DAYS,
        default=settings.COLLAB_API_TOKEN_DAYS,
    )


class TokenOutput(serializers.Serializer):
    token = serializers.CharField(help_text="The key: shown this once, only its hash is stored.")
    name = serializers.CharField()
    expires_at = serializers.DateTimeField()


class TokenObtainView(APIView):
    """Exchange a username and password for a new, expiring API token.

    Every call creates a named token (list and revoke them on the account
    page). Failed attempts count towards the sign-in lockout.
    """

    authentication_classes: list = []
    permission_classes: list = []

    @extend_schema(
        request=TokenInput,
        responses={
            200: TokenOutput,
            400: OpenApiResponse(description="Wrong username or password, or bad input."),
            429: OpenApiResponse(
                description="Too many failed sign-ins from this address or for this "
                "username: locked for an hour (see Retry-After)."
            ),
        },
        auth=[],
    )
    def post(self, request):
        data = TokenInput(data=request.data)
        data.is_valid(raise_exception=True)
        user = authenticate(
            request._request,
            username=data.validated_data["username"],
            password=data.validated_data["password"],
        )
        if user is None or not user.is_active:
            raise exceptions.ValidationError(
                {"non_field_errors": [_("用户名或密码不正确。")]}, code="authorization"
            )
        token, key = services.api_token_create(
            user=user, name=data.validated_data["name"], days=data.validated_data["days"]
        )
        return Response(
            TokenOutput({"token": key, "name": token.name, "expires_at": token.expires_at}).data
        )
