"""Search text for the library: jieba's segmentation turns Chinese (and
mixed) text into space-separated lexemes that PostgreSQL's ``simple``
configuration stores as they are, so "数据安全" in a body becomes the lexemes
数据, 安全 and 数据安全 and the query "数据安全" meets them, while English words
are lowercased the same way on both sides.

Weights: A the titles, B the tags (with both languages' labels of the kind and
the industry), C the summaries, D the body and the talk-track sections.
bench/library.py measures this against trigram matching on the demo library.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from collab.segment import jieba

CONFIG = "simple"
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
