"""Search text for the library: jieba's segmentation turns Chinese (and
mixed) text into space-separated lexemes, so "数据安全" in a body becomes the
lexemes 数据, 安全 and 数据安全 and the query "数据安全" meets them. PostgreSQL's
``english`` configuration then stores them: its Snowball stemmer leaves the
Chinese words as they are (they have no English suffix) and stems the English
ones on both sides, so "reports" finds "report" and "pricing" finds "price".

Three vectors per asset (``reindex``): ``search_title`` the titles (weight A),
``search_head`` the titles and the tags (B: both languages' labels of the kind
and the industry too), ``search`` all of it with the summaries (C), the body
and the talk-track sections (D). The selectors rank by which of them holds the
query. bench/library.py measures this against trigram matching on the demo
library.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django.db import connection
from django.utils import translation

from collab.segment import jieba
from enablement.library.models import AssetKind
from pipeline.models import Industry

CONFIG = "english"
_TERM = re.compile(r"\w+")
# Words that say nothing about what an asset is about.
STOPWORDS = frozenset(
    [
        "的",
        "了",
        "和",
        "与",
        "及",
        "或",
        "在",
        "是",
        "对",
        "为",
        "把",
        "中",
        "等",
        "a",
        "an",
        "the",
        "and",
        "or",
        "of",
        "for",
        "to",
        "in",
        "on",
        "with",
        "by",
        "at",
        "is",
        "are",
    ]
)
MAX_QUERY_TERMS = 12


def _tokens(text: str, *, for_search: bool) -> list[str]:
    cut = jieba().cut_for_search(text) if for_search else jieba().cut(text)
    out: list[str] = []
    for token in cut:
        for term in _TERM.findall(token.lower()):
            if term not in STOPWORDS:
                out.append(term)
    return out


def lexemes(*texts: str) -> str:
    """What ``to_tsvector('simple', ...)`` is given for ``texts``."""
    return " ".join(_tokens(" ".join(t for t in texts if t), for_search=True))


def query_terms(query: str) -> list[str]:
    """The distinct terms of a query (precise segmentation), in order."""
    seen: dict[str, None] = {}
    for term in _tokens(query or "", for_search=False):
        seen.setdefault(term, None)
    return list(seen)[:MAX_QUERY_TERMS]


def tsquery(terms: Iterable[str], operator: str) -> str:
    """A raw ``to_tsquery`` text: every term quoted (they are ``\\w+`` only)."""
    return f" {operator} ".join(f"'{t}'" for t in terms)


def _labels(choices: Any, value: str) -> list[str]:
    """A choice's label in both languages (searchable either way)."""
    if not value:
        return []
    out = []
    for language in ("zh-hans", "en"):
        with translation.override(language):
            out.append(str(dict(choices.choices).get(value, "")))
    return out


_VECTORS_SQL = (
    "UPDATE enablement_asset SET search = head"
    " || setweight(to_tsvector(%(c)s, %(summary)s), 'C')"
    " || setweight(to_tsvector(%(c)s, %(body)s), 'D'),"
    " search_head = head, search_title = title"
    " FROM (SELECT title || setweight(to_tsvector(%(c)s, %(tags)s), 'B') AS head, title"
    " FROM (SELECT setweight(to_tsvector(%(c)s, %(title)s), 'A') AS title) AS t) AS h"
    " WHERE id = %(id)s"
)


def reindex(asset: Any, version: Any) -> None:
    """Rewrite the asset's three vectors from its text and ``version``'s.
    Duck-typed on purpose: the migration that rebuilt the vectors passes its
    historical models."""
    tags = [
        *asset.pain_points,
        *asset.products,
        *_labels(Industry, asset.industry),
        *_labels(AssetKind, asset.kind),
    ]
    sections = version.sections or {}
    section_text = [
        *(f"{p['q']} {p['a']}" for p in sections.get("objections", [])),
        *sections.get("key_messages", []),
        *sections.get("proof_points", []),
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            _VECTORS_SQL,
            {
                "c": CONFIG,
                "title": lexemes(asset.title_zh, asset.title_en),
                "tags": lexemes(*tags),
                "summary": lexemes(asset.summary_zh, asset.summary_en),
                "body": lexemes(version.body, *section_text),
                "id": asset.pk,
            },
        )
