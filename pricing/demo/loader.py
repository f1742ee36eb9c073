"""Demo loader (filled below)."""

from __future__ import annotations


def load(*, organization, key: str) -> None:
    return None
