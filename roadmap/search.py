"""The words a requirement is searched by: jieba segments Chinese, so pg_trgm
compares words rather than one long run of characters."""

from __future__ import annotations

import re

from collab.segment import jieba

_SPACES = re.compile(r"\s+")


def search_words(*parts: str) -> str:
    text = " ".join(p for p in parts if p).lower()
    words = (w.strip() for w in jieba().lcut_for_search(text))
    return _SPACES.sub(" ", " ".join(w for w in words if w)).strip()[:4000]
