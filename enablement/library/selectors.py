"""Reads of the library with the visibility rule applied: published and
retired assets for every member, drafts for their owner department (and
the admin). Search leaves retired assets out."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import overload

from django.contrib.postgres.search import SearchQuery
from django.db import connection
from django.db.models import (
    Case,
    F,
    JSONField,
    Q,
    QuerySet,
    TextField,
    Value,
    When,
    prefetch_related_objects,
)
from django.http import Http404

from collab.parsing import optional_id
from enablement import permissions
from enablement.library import search
from enablement.library.models import Asset, AssetFile, AssetKind, AssetStatus, AssetVersion
from pipeline.models import Industry

PAGE_SIZE = 30


# The search vectors are for the database to match against; no page or API
# reads them back (the body's is a few KB a row, detoasted and parsed for
# nothing on the asset page).
SEARCH_VECTORS = ("search", "search_head", "search_title")


def assets_visible_to(membership) -> QuerySet[Asset]:
    qs = Asset.objects.select_related("owner_department").defer(*SEARCH_VECTORS)
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


def version_and_history(
    asset: Asset, number: int | None
) -> tuple[AssetVersion, list[AssetVersion]]:
    """The asset page's version (``number``, else the current one) with its
    body, sections and files, and every version newest first without the
    others' bodies. Two queries (the versions, the shown one's files): the
    shown version is read with the list, its body picked by a CASE."""
    shown = number or asset.version
    rows = list(
        versions_of(asset)
        .defer("body", "sections")
        .annotate(
            shown_body=Case(
                When(number=shown, then=F("body")), default=Value(""), output_field=TextField()
            ),
            shown_sections=Case(
                When(number=shown, then=F("sections")),
                default=Value(None),
                output_field=JSONField(),
            ),
        )
    )
    version = next((v for v in rows if v.number == shown), None)
    if version is None:
        raise Http404
    version.body, version.sections = version.shown_body, version.shown_sections
    prefetch_related_objects([version], "files")
    return version, rows


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


# A search shows its best MAX_RESULTS matches (17 pages): counting and
# ordering every match of a common word in a large library reads every row
# that holds it (bench/library.py); a narrower query or a filter finds more.
MAX_RESULTS = 500


class SearchResults:
    """Search results the pages and the API paginate like a queryset:
    ``count()`` (at most MAX_RESULTS) and slices, best first.

    Best first is by tier, then the newest: the assets whose title holds
    every term, then whose tags (with the title) hold every term, then whose
    text holds every term; ``match_any`` puts those holding every term first
    (title and tags, then anywhere), then those with any term in the title or
    tags, then anywhere. Each tier is one branch of a UNION ALL that reads the
    newest rows off an index (a common word: a few rows) or every match (a
    rare one, a few rows too), so no branch ranks all the matches. A page is
    two queries (its ids, then its assets); the count one more."""

    def __init__(self, base: QuerySet[Asset], tiers: list[Q], matches: Q) -> None:
        self._base = base.order_by()
        self._tiers = tiers
        self._matches = matches
        self._count: int | None = None

    def count(self) -> int:
        if self._count is None:
            # Materialized, the matching rows are planned for reading them
            # all (the GIN index); read lazily, the count stops at the cap.
            # With a plain LIMIT the planner would scan the table in order
            # and read each row's large vector (bench/library.py).
            sql, params = self._base.filter(self._matches).values("pk").query.sql_with_params()
            with connection.cursor() as cursor:
                cursor.execute(
                    f"WITH m AS MATERIALIZED ({sql}) "  # noqa: S608 (the ORM's own SQL)
                    "SELECT count(*) FROM (SELECT 1 FROM m LIMIT %s) AS capped",
                    [*params, MAX_RESULTS],
                )
                self._count = cursor.fetchone()[0]
        return self._count

    def __len__(self) -> int:
        return self.count()

    def __iter__(self) -> Iterator[Asset]:
        return iter(self[0:MAX_RESULTS])

    def _ids(self, start: int, stop: int) -> list[int]:
        newest = ("-updated_at", "-id")
        if len(self._tiers) == 1:
            qs = self._base.filter(self._tiers[0]).order_by(*newest)
            return list(qs.values_list("pk", flat=True)[start:stop])
        branches = []
        for i, tier in enumerate(self._tiers):
            qs = self._base.filter(tier)
            for earlier in self._tiers[:i]:
                qs = qs.exclude(earlier)
            branches.append(
                qs.annotate(tier=Value(i))
                .order_by(*newest)
                .values_list("pk", "tier", "updated_at")[:stop]
            )
        union = branches[0].union(*branches[1:], all=True)
        return [row[0] for row in union.order_by("tier", "-updated_at", "-pk")[start:stop]]

    @overload
    def __getitem__(self, key: int) -> Asset: ...

    @overload
    def __getitem__(self, key: slice) -> list[Asset]: ...

    def __getitem__(self, key: int | slice) -> Asset | list[Asset]:
        if isinstance(key, int):
            if key < 0:
                raise IndexError("SearchResults take no negative index")
            found = self[key : key + 1]
            if not found:
                raise IndexError(key)
            return found[0]
        if key.step is not None:
            raise TypeError("SearchResults take slices without a step")
        start = max(key.start or 0, 0)
        stop = min(MAX_RESULTS if key.stop is None else key.stop, MAX_RESULTS)
        if stop <= start:
            return []
        ids = self._ids(start, stop)
        found = self._base.filter(pk__in=ids).defer(*SEARCH_VECTORS)
        by_id = {a.pk: a for a in found}
        return [by_id[pk] for pk in ids if pk in by_id]


def library_search(membership, f: LibraryFilters, *, match_any: bool = False) -> SearchResults:
    """Assets holding every term of the query (``match_any``: any term; the
    page falls back to it when every term finds nothing), best first (see
    ``SearchResults``); no term: the newest. Terms are jieba's words, English
    ones stemmed (search.py)."""
    qs = _filtered(assets_visible_to(membership), f)
    terms = search.query_terms(f.q)
    if not terms:
        return SearchResults(qs, [Q()], Q())
    every = SearchQuery(search.tsquery(terms, "&"), config=search.CONFIG, search_type="raw")
    if not match_any:
        return SearchResults(
            qs, [Q(search_title=every), Q(search_head=every), Q(search=every)], Q(search=every)
        )
    any_ = SearchQuery(search.tsquery(terms, "|"), config=search.CONFIG, search_type="raw")
    return SearchResults(
        qs,
        [Q(search_head=every), Q(search=every), Q(search_head=any_), Q(search=any_)],
        Q(search=any_),
    )
