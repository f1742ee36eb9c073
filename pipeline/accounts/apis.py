"""REST API of the customer side: the same rules as the pages (pipeline.permissions),
input and output serializers apart, field-level 400s from ServiceError."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from collab.api import TenantAPIMixin
from pipeline import permissions
from pipeline.accounts import selectors, services
from pipeline.accounts.models import Account, AccountSize, Industry


class ScopedPK(serializers.PrimaryKeyRelatedField):
    """A foreign key resolved through a queryset built per request (visibility)."""

    def __init__(self, queryset_for, **kwargs):
        self.queryset_for = queryset_for
        super().__init__(queryset=Account.objects.none(), **kwargs)

    def get_queryset(self):
        return self.queryset_for(self.context["request"].membership)


def seller_choices(membership):
    return selectors.seller_users()


def require_rule(rule, membership, *args) -> None:
    if not rule(membership, *args):
        raise exceptions.PermissionDenied()


class PipelineViewSetMixin(TenantAPIMixin):
    rule = staticmethod(permissions.can_view_pipeline)

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        require_rule(self.rule, request.membership)

    def out(self, instance, code=status.HTTP_200_OK):
        return Response(self.get_serializer(instance).data, status=code)


# --- accounts ------------------------------------------------------------------------------


class ContactOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    title = serializers.CharField()
    phone = serializers.CharField()
    email = serializers.CharField()


class AccountOutput(serializers.ModelSerializer):
    owner = serializers.CharField(source="owner.username")
    contacts = ContactOutput(many=True, read_only=True)

    class Meta:
        model = Account
        fields = [
            "id",
            "name",
            "industry",
            "size",
            "is_key_account",
            "owner",
            "contacts",
            "created_at",
        ]


class AccountInput(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    industry = serializers.ChoiceField(choices=Industry.choices)
    size = serializers.ChoiceField(choices=AccountSize.choices)
    is_key_account = serializers.BooleanField(default=False)
    owner = ScopedPK(seller_choices, required=False)


class ContactInput(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    title = serializers.CharField(max_length=100, required=False, default="", allow_blank=True)
    phone = serializers.CharField(max_length=40, required=False, default="", allow_blank=True)
    email = serializers.EmailField(required=False, default="", allow_blank=True)


class AccountViewSet(
    PipelineViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Accounts (customers): a rep sees their own, managers and Customer Success all."""

    model = Account
    serializer_class = AccountOutput
    filterset_fields = ["industry", "size", "is_key_account"]
    ordering_fields = ["name", "created_at"]

    def get_scoped_queryset(self):
        return selectors.accounts_visible_to(self.request.membership).prefetch_related("contacts")

    def _owner(self, data):
        membership = self.request.membership
        if not permissions.manages_pipeline(membership):
            data["owner"] = self.request.user
        data.setdefault("owner", self.request.user)
        return data

    @extend_schema(request=AccountInput, responses={201: AccountOutput})
    def create(self, request):
        require_rule(permissions.can_sell, request.membership)
        data = AccountInput(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        account = services.account_create(
            actor=request.user, **self._owner(dict(data.validated_data))
        )
        return self.out(account, status.HTTP_201_CREATED)

    @extend_schema(request=AccountInput, responses=AccountOutput)
    def partial_update(self, request, pk=None):
        account = self.get_object()
        require_rule(permissions.can_edit_account, request.membership, account)
        data = AccountInput(data=request.data, partial=True, context={"request": request})
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        if "owner" in fields and not permissions.manages_pipeline(request.membership):
            raise exceptions.ValidationError({"owner": ["only a manager can reassign an account"]})
        account = services.account_update(account=account, actor=request.user, **fields)
        return self.out(account)

    @extend_schema(request=ContactInput, responses={201: ContactOutput})
    @action(detail=True, methods=["post"])
    def contacts(self, request, pk=None):
        account = self.get_object()
        require_rule(permissions.can_edit_account, request.membership, account)
        data = ContactInput(data=request.data)
        data.is_valid(raise_exception=True)
        contact = services.contact_add(account=account, actor=request.user, **data.validated_data)
        return Response(ContactOutput(contact).data, status=status.HTTP_201_CREATED)


# --- opportunities ---------------------------------------------------------------------------


# --- leads -----------------------------------------------------------------------------------


# --- follow-ups ------------------------------------------------------------------------------


# --- funnel ----------------------------------------------------------------------------------
