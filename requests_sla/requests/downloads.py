"""The response that hands out an attachment's file, for the download view
and the API (both check the attachment rule first, through
``selectors.attachment_get``): a download (``Content-Disposition:
attachment``, ``nosniff``, private cache, a sandboxing CSP), streamed by
Django (``FileResponse``) or, when ``SENDFILE_X_ACCEL_PREFIX`` is set
(production behind nginx, see README), sent by nginx from an ``internal``
location through ``X-Accel-Redirect``."""

from __future__ import annotations

from urllib.parse import quote

from django.conf import settings
from django.http import FileResponse, Http404, HttpResponse
from django.utils.http import content_disposition_header

from requests_sla.requests.models import Attachment


def _content_type(attachment: Attachment) -> str:
    declared = (attachment.content_type or "").split(";")[0].strip().lower()
    allowed = getattr(settings, "COLLAB_ATTACHMENT_CONTENT_TYPES", ())
    return declared if declared in allowed else "application/octet-stream"


def attachment_response(attachment: Attachment) -> HttpResponse:
    """The download of an attachment the caller may see (checked before)."""
    prefix = getattr(settings, "SENDFILE_X_ACCEL_PREFIX", "")
    if prefix:
        response = HttpResponse(content_type=_content_type(attachment))
        response["X-Accel-Redirect"] = f"{prefix.rstrip('/')}/{quote(attachment.file.name)}"
    else:
        try:
            handle = attachment.file.open("rb")
        except (FileNotFoundError, ValueError):
            raise Http404 from None
        response = FileResponse(handle, content_type=_content_type(attachment))
    response["Content-Disposition"] = content_disposition_header(True, attachment.original_name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
