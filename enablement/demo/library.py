"""The demo library in both organizations: 30 assets across kinds and
industries (the 数据安全 toolkit with two versions), a retired one, uses on
the demo deals (won, lost and open), and one talk-track request fulfilled.
The "数据安全" talk-track request of the demo rep stays open: it is the
journey's first step (head-mkt fulfils it). Idempotent: nothing when the
organization already has an asset."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from collab.tenancy import organization_scope
from departments.models import Membership, Organization
from enablement.demo import content
from enablement.library import services as library
from enablement.library.models import Asset
from enablement.usage import services as usage
from pipeline.models import Opportunity
from requests_sla.models import Request

AUTHORS = {
    "demo": {"marketing": "head-mkt", "product": "head-pm", "hr": "head-hr"},
    "other": {"marketing": "other-mkt", "product": "other-pm", "hr": "other-hr"},
}
FULFILLED_TITLE = "应对竞品低价策略的话术"


def _members() -> dict[str, Membership]:
    return {
        m.user.username: m
        for m in Membership.objects.filter(is_active=True).select_related(
            "user", "department", "organization"
        )
    }


def _toolkit(author: Membership, now: dt.datetime) -> Asset:
    t = content.TOOLKIT
    asset = library.asset_create(
        actor=author,
        fields=library.AssetFields(
            kind="talk_track",
            title_zh=t["title_zh"],
            title_en=t["title_en"],
            summary_zh=t["summary_zh"],
            summary_en=t["summary_en"],
            pain_points=t["pain_points"],
            products=t["products"],
            stages=t["stages"],
        ),
        content=library.VersionContent(sections=t["v1"]),
        publish=True,
        at=now - dt.timedelta(days=60),
    )
    sections = dict(t["v1"])
    sections["objections"] = [*t["v1"]["objections"], t["v2_extra"]]
    library.asset_version_publish(
        actor=author,
        asset=asset,
        content=library.VersionContent(sections=sections, change_note=t["v2_note"]),
        at=now - dt.timedelta(days=12),
    )
    return asset


def _assets(authors: dict[str, Membership], now: dt.datetime) -> list[Asset]:
    made = []
    rows = content.ASSETS + content.industry_reports()
    for i, row in enumerate(rows):
        kind, dept, tzh, ten, szh, sen, industry, pains, products, stages = row
        author = authors.get(dept)
        if author is None:
            continue
        made.append(
            library.asset_create(
                actor=author,
                fields=library.AssetFields(
                    kind=kind,
                    title_zh=tzh,
                    title_en=ten,
                    summary_zh=szh,
                    summary_en=sen,
                    industry=industry,
                    pain_points=pains,
                    products=products,
                    stages=stages,
                ),
                content=library.VersionContent(body=f"{szh}\n\n{sen}"),
                publish=True,
                at=now - dt.timedelta(days=90 - i * 2),
            )
        )
    return made


def _uses(members: dict[str, Membership], assets: list[Asset], now: dt.datetime) -> None:
    """The toolkit and a few others on the reps' deals: won, lost and open."""
    by_user = {m.user_id: m for m in members.values()}
    deals = list(
        Opportunity.objects.select_related("stage").order_by("-stage_entered_at", "id")[:40]
    )
    for index, deal in enumerate(deals[:12]):
        rep = by_user.get(deal.owner_id)
        if rep is None:
            continue
        for asset in assets[index % 3 :: 7][:2]:
            usage.asset_use_record(
                actor=rep,
                asset=asset,
                opportunity=deal,
                at=min(now, deal.stage_entered_at - dt.timedelta(days=3)),
            )


def _fulfil(authors: dict[str, Membership], assets: list[Asset]) -> None:
    request = (
        Request.objects.filter(
            title=FULFILLED_TITLE, status__in=["new", "acknowledged", "in_progress"]
        )
        .select_related("request_type", "serving_department")
        .first()
    )
    head = authors.get("marketing")
    competitor = next((a for a in assets if a.title_zh == FULFILLED_TITLE), None)
    if request is None or head is None or competitor is None:
        return
    usage.request_fulfil(
        actor=head,
        request=request,
        asset=competitor,
        content=library.VersionContent(
            body="价格异议三步法：先认同、再量化总成本、最后给出案例。",
            change_note="按请求补充了价格异议三步法 / Added the three-step answer to price objections",
        ),
    )


def load(*, organization: Organization, key: str) -> None:
    with organization_scope(organization.id):
        if Asset.objects.exists():
            return
        members = _members()
        authors = {d: members[u] for d, u in AUTHORS.get(key, {}).items() if u in members}
        if "marketing" not in authors:
            return
        now = timezone.now()
        toolkit = _toolkit(authors["marketing"], now)
        assets = [toolkit, *_assets(authors, now)]
        retired = assets[-1]
        library.asset_retire(actor=authors[_owner_code(retired)], asset=retired)
        _uses(members, [a for a in assets if a.pk != retired.pk], now)
        _fulfil(authors, assets)


def _owner_code(asset: Asset) -> str:
    return asset.owner_department.code
