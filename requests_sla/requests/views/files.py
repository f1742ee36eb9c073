"""Attachment downloads: the only way a stored file leaves the server.

Nothing is served from ``MEDIA_URL`` in any mode (not even under DEBUG):
every download passes the attachment rule (``selectors.attachment_get``,
``permissions.attachment_visibility_filter``). The file goes out as a
download (``Content-Disposition: attachment``, ``nosniff``, private cache),
streamed by Django (``FileResponse``), or, when
``SENDFILE_X_ACCEL_PREFIX`` is set (production behind nginx, see README),
by nginx from an ``internal`` location through ``X-Accel-Redirect``.
"""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from collab.decorators import membership_required
from collab.tenancy import organization_scope
from requests_sla.requests import selectors, signed_links
from requests_sla.requests.downloads import attachment_response


@require_safe
@membership_required()
def attachment_download(request, pk: int):
    """The request page's link (a signed-in session; token clients use
    ``GET /api/requests/{id}/attachments/{attachment_id}/``)."""
    return attachment_response(selectors.attachment_get(request.membership, pk))


def _link_refused(request, message: str, status: int):
    return render(request, "requests_sla/attachment_link.html", {"message": message}, status=status)


@require_safe
def attachment_signed(request, token: str):
    """An email's link: valid, unexpired, for the signed-in recipient, and
    the attachment still visible to them under the rule (an outsider or
    another member who got the link forwarded: 404)."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    try:
        claim = signed_links.claim_read(token)
    except signed_links.LinkExpired:
        return _link_refused(
            request,
            _("此下载链接已过期。请登录后在请求页面下载附件。"),
            403,
        )
    except signed_links.LinkInvalid:
        return _link_refused(request, _("此下载链接无效或已被修改。"), 404)
    membership = next(
        (
            m
            for m in getattr(request, "memberships", [])
            if m.organization_id == claim.organization_id
        ),
        None,
    )
    if claim.user_id != request.user.pk or membership is None or not membership.is_active:
        raise Http404
    with organization_scope(claim.organization_id):
        attachment = selectors.attachment_get(membership, claim.attachment_id)
        return attachment_response(attachment)
