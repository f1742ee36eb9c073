from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from collab.api import TenantAPIMixin

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
    department = serializers.CharField(source="department.code", default=None, read_only=True)

    class Meta:
        model = Membership
        fields = ["organization", "organization_name", "role", "department"]


class MeOutput(serializers.Serializer):
    username = serializers.CharField()
    email = serializers.EmailField()
    organization = serializers.CharField(allow_null=True)
    memberships = MembershipOutput(many=True)


class MeView(APIView):
    """Who am I, and which organizations may I act in (send X-Organization)."""

    @extend_schema(responses=MeOutput)
    def get(self, request):
        from collab.middleware import resolve_membership

        membership = resolve_membership(request._request, request.user)
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
