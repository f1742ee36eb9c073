"""The bi-weekly review board (placeholder until the board slice)."""

from __future__ import annotations

from departments.models import Organization


def board_settings_provision(*, organization: Organization) -> None:
    return None
