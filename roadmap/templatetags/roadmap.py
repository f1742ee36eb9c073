"""Roadmap's template filters: state labels and business time in hours; the
deal page's roadmap notes are composed here too (pipeline never imports roadmap)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from collab.money import format_money
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


@register.simple_tag
def loop_figures(metrics) -> list[tuple[str, str, str]]:
    """The loop's figures (``metrics.LoopMetrics``) as (key, label, value),
    drawn alike on the roadmap page and the SLA dashboard's panel."""

    def duration(minutes: int | None) -> str:
        return "—" if minutes is None else _("%(h)s 小时") % {"h": hours(minutes)}

    def share(value) -> str:
        return "—" if value is None else f"{value}%"

    n = metrics.influenced_deals
    deals = ngettext("%(n)s 个商机", "%(n)s 个商机", n) % {"n": n}
    amounts = " + ".join(format_money(m.amount, m.currency) for m in metrics.influenced) or "—"
    return [
        (
            "decision",
            _("提交到决定（中位数，工作时间）"),
            duration(metrics.median_decision_minutes),
        ),
        ("ship", _("决定到上线（中位数，工作时间）"), duration(metrics.median_ship_minutes)),
        ("validated", _("经原型验证的比例"), share(metrics.validated_share)),
        ("declined", _("拒绝比例"), share(metrics.declined_share)),
        ("influenced", _("影响收入（上线后赢单）"), f"{deals} · {amounts}"),
    ]
