"""Writes where the library meets requests and deals: fulfil a content
request with an asset (a new one or a new version), record that a rep used
an asset with a customer, and tell the reps who used an asset on open deals
that a new version is out."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from collab.errors import ServiceError
from departments.models import Membership
from enablement.library import services as library
from enablement.library.models import Asset, AssetKind, AssetStatus, AssetVersion
from enablement.usage import notices
from enablement.usage.models import AssetFulfilment, AssetUse
from pipeline.accounts.selectors import accounts_visible_to
from pipeline.models import Account, Opportunity
from pipeline.opportunities.selectors import opportunities_visible_to
from requests_sla.models import Request
from requests_sla.notifications.services import notifications_send
from requests_sla.requests import permissions as request_permissions
from requests_sla.requests.services import request_resolve

# The request types whose result is library content, and the kind of asset
# that fulfils each (the default catalog's codes).
CONTENT_TYPES: dict[str, str] = {
    "mkt_industry_report": AssetKind.INDUSTRY_REPORT,
    "mkt_talk_track": AssetKind.TALK_TRACK,
    "mkt_campaign_support": AssetKind.SOLUTION_PAGE,
    "pm_bundle_comparison": AssetKind.BUNDLE_COMPARISON,
    "pm_training": AssetKind.TRAINING_HANDBOOK,
}
CONTENT_DEPARTMENTS = ("marketing", "product")


def is_content_request(request: Request) -> bool:
    return (
        request.request_type.code in CONTENT_TYPES
        and request.serving_department.code in CONTENT_DEPARTMENTS
    )


def _fulfil_check(actor: Membership, request: Request) -> None:
    if not is_content_request(request):
        raise ServiceError(_("这类请求不以资料交付。"))
    if not request_permissions.can(actor, "resolve", request):
        raise PermissionDenied(_("你无权执行此操作。"))


def _link(actor: Membership, request: Request, asset: Asset, at: dt.datetime) -> AssetFulfilment:
    link, _created = AssetFulfilment.objects.update_or_create(
        organization_id=request.organization_id,
        request=request,
        asset=asset,
        defaults={"version": asset.version, "fulfilled_by": actor.user, "created_at": at},
    )
    return link


def request_fulfil(
    *,
    actor: Membership,
    request: Request,
    content: library.VersionContent,
    fields: library.AssetFields | None = None,
    asset: Asset | None = None,
    at: dt.datetime | None = None,
) -> AssetFulfilment:
    """Resolve a content request with an asset: a new published asset from
    ``fields``, or a new version of ``asset``; link the two and tell the
    requester (the resolve notice names the asset; a second one links it)."""
    if (fields is None) == (asset is None):
        raise ServiceError(_("请选择已有资料发布新版本，或新建一份资料。"), field="asset")
    at = at or timezone.now()
    with transaction.atomic():
        _fulfil_check(actor, request)
        if asset is None:
            assert fields is not None
            asset = library.asset_create(
                actor=actor, fields=fields, content=content, publish=True, at=at
            )
        else:
            library.asset_version_publish(actor=actor, asset=asset, content=content, at=at)
            asset.refresh_from_db()
        link = _link(actor, request, asset, at)
        reason = _("已交付资料《%(title)s》第 %(v)s 版") % {
            "title": asset.title_zh,
            "v": asset.version,
        }
        request_resolve(request=request, actor=actor, resolution=reason, at=at)
        notifications_send(
            organization_id=request.organization_id,
            recipient_ids=[request.requester_id],
            kind=notices.ASSET_READY,
            params={"ref": request.reference, "title": asset.title_zh, "version": asset.version},
            link=asset.get_absolute_url(),
            at=at,
        )
        return link


def asset_use_record(
    *,
    actor: Membership,
    asset: Asset,
    opportunity: Opportunity | None = None,
    account: Account | None = None,
    at: dt.datetime | None = None,
) -> AssetUse:
    """ "Used with this customer": on a deal (its account follows) or on an
    account. Once per asset and deal (or account); again is a no-op."""
    if asset.status != AssetStatus.PUBLISHED:
        raise ServiceError(_("只能使用已发布的资料。"), field="asset")
    with transaction.atomic():
        if opportunity is not None:
            if not opportunities_visible_to(actor).filter(pk=opportunity.pk).exists():
                raise ServiceError(_("找不到这个商机。"), field="opportunity")
            account_id = opportunity.account_id
        elif account is not None:
            if not accounts_visible_to(actor).filter(pk=account.pk).exists():
                raise ServiceError(_("找不到这个客户。"), field="account")
            account_id = account.pk
        else:
            raise ServiceError(_("请选择商机或客户。"), field="opportunity")
        use, _created = AssetUse.objects.get_or_create(
            organization_id=actor.organization_id,
            asset=asset,
            opportunity=opportunity,
            account_id=account_id,
            defaults={
                "version": asset.version,
                "used_by": actor.user,
                "used_at": at or timezone.now(),
            },
        )
        return use


def reps_notify_of_version(asset: Asset, version: AssetVersion, actor: Membership) -> None:
    """The reps who used ``asset`` on a deal still open hear of ``version``."""
    open_uses = AssetUse.objects.filter(
        asset=asset,
        opportunity__isnull=False,
        opportunity__stage__is_won=False,
        opportunity__stage__is_lost=False,
    )
    recipients = set(open_uses.values_list("used_by_id", flat=True)) | set(
        open_uses.values_list("opportunity__owner_id", flat=True)
    )
    recipients.discard(actor.user_id)
    if not recipients:
        return
    notifications_send(
        organization_id=asset.organization_id,
        recipient_ids=sorted(recipients),
        kind=notices.ASSET_VERSION,
        params={"title": asset.title_zh, "version": version.number, "note": version.change_note},
        link=asset.get_absolute_url(),
        at=version.created_at,
    )
