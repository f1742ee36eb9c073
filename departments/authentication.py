"""API authentication by named, expiring, revocable tokens.

``Authorization: Token <key>`` as with DRF's authtoken (clients need no
change), but the key is looked up by its SHA-256, and an expired or revoked
key is refused with a 401 that says which.
"""

from __future__ import annotations

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from . import services


class ApiTokenAuthentication(BaseAuthentication):
    keyword = "Token"

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword.lower().encode():
            return None  # not ours: the session may still authenticate
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(_("令牌格式无效：应为 “Token <密钥>”。"))
        try:
            key = parts[1].decode("ascii")
        except UnicodeDecodeError as exc:
            raise exceptions.AuthenticationFailed(_("令牌无效。")) from exc
        token = services.api_token_find(key)
        if token is None:
            raise exceptions.AuthenticationFailed(_("令牌无效。"))
        if token.revoked_at is not None:
            raise exceptions.AuthenticationFailed(
                _("令牌“%(name)s”已被撤销。") % {"name": token.name}
            )
        if token.is_expired:
            raise exceptions.AuthenticationFailed(
                _("令牌“%(name)s”已于 %(when)s 过期。")
                % {
                    "name": token.name,
                    "when": formats.date_format(timezone.localtime(token.expires_at), "Y-m-d H:i"),
                }
            )
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("该账号已停用。"))
        services.api_token_touch(token)
        return token.user, token

    def authenticate_header(self, request) -> str:
        return self.keyword


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """Describes the scheme in the OpenAPI document."""

    target_class = "departments.authentication.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Token <key>`: create keys on the account page or at /api/auth/token/.",
        }
