"""Formatting for the SLA dashboard: percentages and business hours."""

from django import template
from django.utils import formats
from django.utils.translation import gettext as _

from requests_sla.sla.presentation import duration_text

register = template.Library()


@register.filter
def pct(value):
    """0.875 → "87.5%"; nothing decided → "—"."""
    if value is None:
        return "—"
    return f"{formats.number_format(round(value * 100, 1), 1)}%"


@register.filter
def pct_change(value):
    """A change in attainment, in percentage points, with its sign."""
    if value is None:
        return ""
    points = round(value * 100, 1)
    sign = "+" if points > 0 else ("±" if points == 0 else "−")
    return _("%(sign)s%(points)s 个百分点") % {
        "sign": sign,
        "points": formats.number_format(abs(points), 1),
    }


@register.filter
def bhours(minutes):
    """Business minutes → "12个工作小时 30分" (the one duration format)."""
    if minutes is None:
        return "—"
    return duration_text(round(minutes), "working_hours")


@register.filter
def get(mapping, key):
    return mapping.get(key) if mapping else None
