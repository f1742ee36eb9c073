"""Roadmap's template filters: state labels and business time in hours; the
deal page's roadmap notes are composed here too (pipeline never imports roadmap)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django import template

from roadmap.models import DealNote, State

register = template.Library()

# Labels by value, built once: ``get_state_display`` hashes every (lazy)
# label of the field on each call, a dozen translations a chip.
_STATE_LABELS = dict(State.choices)


@register.filter
def state_label(value: str) -> str:
    label = _STATE_LABELS.get(value)
    return value if label is None else str(label)


@register.filter
def hours(minutes: int | None) -> str:
    if minutes is None:
        return "—"
    return str((Decimal(minutes) / 60).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


@register.simple_tag
def deal_roadmap_notes(opportunity):
    """The roadmap's notes on one deal (one read)."""
    return list(
        DealNote.objects.filter(opportunity=opportunity)
        .select_related("requirement", "release")
        .order_by("-created_at")
    )
