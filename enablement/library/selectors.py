"""Reads of the library with the visibility rule applied: published and
retired assets for every member, drafts for their owner department (and
the admin). Search leaves retired assets out."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db.models import BooleanField, ExpressionWrapper, F, Q, QuerySet
from django.http import Http404

from collab.parsing import optional_id
from enablement import permissions
from enablement.library import search
from enablement.library.models import Asset, AssetFile, AssetKind, AssetStatus, AssetVersion
from pipeline.models import Industry

PAGE_SIZE = 30


def assets_visible_to(membership) -> QuerySet[Asset]:
    qs = Asset.objects.select_related("owner_department")
    if permissions.is_admin(membership):
        return qs
    return qs.filter(~Q(status=AssetStatus.DRAFT) | Q(owner_department_id=membership.department_id))


def asset_get(membership, pk: int) -> Asset:
    """One asset the member may open (a foreign or hidden id is a 404)."""
    asset = assets_visible_to(membership).filter(pk=pk).first()
    if asset is None:
        raise Http404
    return asset


def version_get(asset: Asset, number: int | None) -> AssetVersion:
    version = (
        AssetVersion.objects.filter(asset=asset, number=number or asset.version)
        .select_related("created_by")
        .prefetch_related("files")
        .first()
    )
    if version is None:
        raise Http404
    return version


def versions_of(asset: Asset) -> QuerySet[AssetVersion]:
    return AssetVersion.objects.filter(asset=asset).select_related("created_by").order_by("-number")


def file_get(membership, pk: int) -> AssetFile:
    """A file of a version of an asset the member may open."""
    visible = assets_visible_to(membership).values("pk")
    found = (
        AssetFile.objects.filter(pk=pk, version__asset__in=visible)
        .select_related("version")
        .first()
    )
    if found is None:
        raise Http404
    return found


@dataclass(frozen=True)
class LibraryFilters:
    q: str = ""
    kind: str = ""
    industry: str = ""
    stage: str = ""
    department: int | None = None
    status: str = ""  # "" = published; "draft" / "retired" for the owners' views


def filters_from(params: Mapping[str, str]) -> LibraryFilters:
    """The filters of a query string (pages and API): unknown values are ignored."""
    status = params.get("status", "")
    kind = params.get("kind", "")
    industry = params.get("industry", "")
    return LibraryFilters(
        q=params.get("q", "")[:200],
        kind=kind if kind in AssetKind.values else "",
        industry=industry if industry in Industry.values else "",
        stage=params.get("stage", "")[:32],
        department=optional_id(params.get("department")),
        status=status if status in (AssetStatus.DRAFT, AssetStatus.RETIRED) else "",
    )


def _filtered(qs: QuerySet[Asset], f: LibraryFilters) -> QuerySet[Asset]:
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.industry:
        qs = qs.filter(Q(industry=f.industry) | Q(industry=""))
    if f.stage:
        qs = qs.filter(Q(stages__contains=[f.stage]) | Q(stages=[]))
    if f.department:
        qs = qs.filter(owner_department_id=f.department)
    return qs.filter(status=f.status or AssetStatus.PUBLISHED)


def library_search(membership, f: LibraryFilters, *, match_any: bool = False) -> QuerySet[Asset]:
    """Assets holding every term of the query (``match_any``: any term; the
    page falls back to it when every term finds nothing), best first: an
    asset whose title or tags hold every term, then (``match_any``) one whose
    text holds every term, then by the rank of the title and tag matches
    (title > tags), then the newest. The body's large vector is matched, never
    ranked: ranking it for every match cost ~30 µs a row (bench). One query."""
    qs = _filtered(assets_visible_to(membership), f)
    terms = search.query_terms(f.q)
    if not terms:
        return qs.order_by("-updated_at", "-id")
    every = SearchQuery(search.tsquery(terms, "&"), config=search.CONFIG, search_type="raw")
    any_ = SearchQuery(search.tsquery(terms, "|"), config=search.CONFIG, search_type="raw")
    qs = qs.filter(search=any_ if match_any else every).annotate(
        title_tag_hit=ExpressionWrapper(Q(search_head=every), output_field=BooleanField()),
        head_rank=SearchRank(F("search_head"), any_),
    )
    if not match_any:  # every match holds every term
        return qs.order_by("-title_tag_hit", "-head_rank", "-updated_at", "-id")
    return qs.annotate(
        all_terms=ExpressionWrapper(Q(search=every), output_field=BooleanField())
    ).order_by("-title_tag_hit", "-all_terms", "-head_rank", "-updated_at", "-id")
