"""API plumbing shared by every app: tenant scope after authentication,
role permissions, and errors that are always field-level 400s, never 500s."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Model
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, permissions
from rest_framework.request import Request
from rest_framework.views import exception_handler as drf_exception_handler

from collab import tenancy
from collab.errors import ServiceError
from collab.middleware import OrganizationRequired, attach_membership, resolve_membership

if TYPE_CHECKING:  # collab sits below departments: a type, not an import
    from departments.models import Membership


class MemberAPIRequest(Request):
    """What a ``TenantAPIMixin`` view's handlers are given (for the checker)."""

    membership: Membership


class OrganizationHeaderRequired(exceptions.APIException):
    """400: a token client of several organizations must name one."""

    status_code = 400
    default_code = "organization_required"

    def __init__(self, memberships) -> None:
        slugs = sorted(m.organization.slug for m in memberships)
        super().__init__(
            {
                "detail": _(
                    "你属于多个企业，请用 X-Organization 请求头指明本次请求的企业（其标识之一：%(slugs)s）。"
                )
                % {"slugs": ", ".join(slugs)},
                "organizations": slugs,
            }
        )


def membership_for_api(request):
    """The membership a DRF request acts through.

    A session caller acts where the middleware put them (switcher, stored
    default). A token caller is resolved afresh from the token's user (a
    browser session riding along on the same request must not lend its
    organization) and must name the organization when it has several.
    """
    django_request = request._request
    if request.auth is not None:
        try:
            membership = resolve_membership(django_request, request.user, explicit=True)
        except OrganizationRequired as exc:
            raise OrganizationHeaderRequired(exc.memberships) from exc
        attach_membership(django_request, membership)
    elif request.user.is_authenticated and getattr(django_request, "membership", None) is None:
        attach_membership(django_request, resolve_membership(django_request, request.user))
    return getattr(django_request, "membership", None)


class TenantAPIMixin:
    """Resolve the organization after DRF authenticated the caller.

    Token-authenticated requests are invisible to the session middleware, so
    the scope is (re)set here; the middleware's reset restores it afterwards.
    A caller with no membership in scope gets 404 on everything; a token
    caller of several organizations without X-Organization gets a 400.
    """

    required_capability: str | None = None
    model: type[Model] | None = None  # the tenant model the view lists, for schema generation
    # Object ids in API paths are ASCII digits: "/api/meetings/abc/" is a 404
    # from the URL resolver, never a lookup that a non-number could break.
    lookup_value_regex = "[0-9]+"

    def get_queryset(self):
        # drf-spectacular introspects views with no request and no tenant: an
        # empty queryset never reaches SQL, so the scoped manager allows it.
        if getattr(self, "swagger_fake_view", False):
            return self.model.objects.none()
        return self.get_scoped_queryset()

    def get_scoped_queryset(self):
        raise NotImplementedError

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        membership = membership_for_api(request)
        request.membership = membership
        request.organization = membership.organization if membership else None
        if membership is None:
            raise Http404
        tenancy.set_organization(membership.organization_id)
        if self.required_capability and not membership.can(self.required_capability):
            raise exceptions.PermissionDenied()


class HasCapability(permissions.BasePermission):
    def has_permission(self, request, view) -> bool:
        capability = getattr(view, "required_capability", None)
        membership = getattr(request, "membership", None)
        return capability is None or (membership is not None and membership.can(capability))


def exception_handler(exc, context):
    if isinstance(exc, ServiceError):
        exc = exceptions.ValidationError({exc.field or "non_field_errors": [exc.message]})
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    return drf_exception_handler(exc, context)
