"""Limits on what a request may carry, applied once where bodies and query
strings enter (configured in settings: ``REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"]``
and ``MIDDLEWARE``).

* JSON bodies: at most ``COLLAB_JSON_MAX_BYTES`` bytes (413) and
  ``COLLAB_JSON_MAX_DEPTH`` levels of nesting (400: JSON nested 100,000 levels
  deep is refused instead of raising ``RecursionError``), no NaN/Infinity, and no
  NUL character in any string or key (PostgreSQL cannot store one; 400).
* Query strings, paths and form posts: a NUL byte is a 400 before any view
  reads it (PostgreSQL refuses NUL in a text parameter, so a search for
  ``"a\\x00"`` would otherwise be a database error).
"""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpResponseBadRequest, JsonResponse
from django.utils.translation import gettext as _
from rest_framework import exceptions, serializers, status
from rest_framework.parsers import JSONParser

NUL = "\x00"


class BodyTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_large"


def max_bytes() -> int:
    return getattr(settings, "COLLAB_JSON_MAX_BYTES", 2_621_440)


def max_depth() -> int:
    return getattr(settings, "COLLAB_JSON_MAX_DEPTH", 32)


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not valid JSON")


def check_structure(data: Any) -> None:
    """Raise ``ValueError`` when ``data`` nests deeper than the limit or holds NUL.
    Iterative, so no depth of input can exhaust the stack."""
    limit = max_depth()
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, str):
            if NUL in value:
                raise ValueError(_("内容不能包含空字符（\\u0000）。"))
        elif isinstance(value, dict | list):
            if depth > limit:
                raise ValueError(_("JSON 嵌套不能超过 %(n)s 层。") % {"n": limit})
            items = value.items() if isinstance(value, dict) else enumerate(value)
            for key, item in items:
                if isinstance(key, str) and NUL in key:
                    raise ValueError(_("内容不能包含空字符（\\u0000）。"))
                stack.append((item, depth + 1))


def loads(text: str | bytes) -> Any:
    """``json.loads`` within the limits; ``ValueError`` saying why otherwise.

    For JSON that arrives inside another body too (a multipart form's JSON
    field), so it meets the same limits as a JSON body."""
    if len(text) > max_bytes():
        raise ValueError(_("内容过大（最多 %(n)s 字节）。") % {"n": max_bytes()})
    try:
        data = json.loads(text, parse_constant=_refuse_constant)
    except RecursionError:
        raise ValueError(_("JSON 嵌套不能超过 %(n)s 层。") % {"n": max_depth()}) from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValueError(_("JSON 格式不正确：%(error)s") % {"error": exc}) from None
    check_structure(data)
    return data


class LimitedJSONParser(JSONParser):
    """DRF's JSON parser with the limits above."""

    def parse(self, stream, media_type=None, parser_context=None):
        limit = max_bytes()
        raw = stream.read(limit + 1) if stream is not None else b""
        if len(raw) > limit:
            raise BodyTooLarge(_("请求内容过大（最多 %(n)s 字节）。") % {"n": limit})
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            return loads(raw.decode(encoding))
        except UnicodeDecodeError:
            raise exceptions.ParseError(_("请求内容不是有效的文本。")) from None
        except ValueError as exc:
            raise exceptions.ParseError(str(exc)) from None


def _has_nul(query) -> bool:
    return any(NUL in key or any(NUL in v for v in values) for key, values in query.lists())


class RejectNulMiddleware:
    """A NUL byte in the path, the query string or a urlencoded form is a 400."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        bad = NUL in request.path or _has_nul(request.GET)
        if not bad and request.content_type == "application/x-www-form-urlencoded":
            bad = request.method == "POST" and _has_nul(request.POST)
        if bad:
            message = _("请求包含空字符（\\u0000），已拒绝。")
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": message}, status=400)
            return HttpResponseBadRequest(message)
        return self.get_response(request)


class LimitedJSONFormField(forms.JSONField):
    """A form's JSON field within the same limits (Django's own would raise
    ``RecursionError`` on deep nesting and store NUL)."""

    def to_python(self, value):
        if self.disabled or value in self.empty_values or not isinstance(value, str):
            return super().to_python(value)
        try:
            return loads(value)
        except ValueError as exc:
            raise ValidationError(str(exc), code="invalid", params={"value": value}) from None

    def bound_data(self, data, initial):
        if self.disabled or data is None:
            return super().bound_data(data, initial)
        try:
            return loads(data)
        except (ValueError, TypeError):
            return forms.fields.InvalidJSONInput(data)


class LimitedJSONSerializerField(serializers.JSONField):
    """DRF's JSON field within the same limits, for the JSON that arrives as
    a string inside a multipart or urlencoded body (DRF would ``json.loads``
    it with no limit)."""

    def to_internal_value(self, data):
        try:
            if self.binary or getattr(data, "is_json_string", False):
                if isinstance(data, bytes):
                    data = data.decode()
                return loads(data)
            check_structure(data)
        except ValueError as exc:
            raise serializers.ValidationError(str(exc)) from None
        return super().to_internal_value(data)
