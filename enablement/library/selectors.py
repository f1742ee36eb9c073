"""Reads of the library with the visibility rule applied: published and
retired assets for every member, drafts for their owner department (and
the admin). Search leaves retired assets out."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVectorField
from django.db.models import BooleanField, ExpressionWrapper, F, Func, Q, QuerySet, Value
from django.http import Http404

from enablement import permissions
from enablement.library import search
from enablement.library.models import Asset, AssetFile, AssetStatus, AssetVersion

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
    asset whose title or tags hold every term, then one whose text holds
    every term, then by weighted rank (title > tags > summary > body). One query."""
    qs = _filtered(assets_visible_to(membership), f)
    terms = search.query_terms(f.q)
    if not terms:
        return qs.order_by("-updated_at", "-id")
    every = SearchQuery(search.tsquery(terms, "&"), config=search.CONFIG, search_type="raw")
    any_ = SearchQuery(search.tsquery(terms, "|"), config=search.CONFIG, search_type="raw")
    return (
        qs.filter(search=any_ if match_any else every)
        .annotate(
            title_tag=Func(
                F("search"), Value("{a,b}"), function="ts_filter", output_field=SearchVectorField()
            )
        )
        .annotate(
            title_tag_hit=ExpressionWrapper(Q(title_tag=every), output_field=BooleanField()),
            all_terms=ExpressionWrapper(Q(search=every), output_field=BooleanField()),
            rank=SearchRank(F("search"), any_),
        )
        .order_by("-title_tag_hit", "-all_terms", "-rank", "-id")
    )
