"""``{% load sla %}``: SLA badges and times in templates (the words and markup come from ``sla.presentation``)."""

from __future__ import annotations

from django import template
from django.utils import timezone

from requests_sla.sla.presentation import (
    badge_html,
    date_text,
    request_badge,
    span_text,
    target_text,
    timer_badge,
    when_text,
    zone_label,
)

register = template.Library()


@register.simple_tag
def sla_badge(obj, now=None):
    """``{% sla_badge timer %}`` or ``{% sla_badge request %}`` (its headline timer)."""
    return badge_html(request_badge(obj, now))


@register.filter
def time_left(timer) -> str:
    return timer_badge(timer).text if timer is not None else ""


@register.filter
def span(start, end) -> str:
    """``{{ start|span:end }}``: the real time between them (3天4小时 / 3d 4h)."""
    return span_text(start, end)


@register.filter
def when(value) -> str:
    return when_text(value)


@register.filter
def target(spec) -> str:
    """``{{ type.sla_targets.normal.response|target }}`` → 24小时."""
    if not spec:
        return ""
    return target_text(spec.get("unit", ""), spec.get("amount", 0))


@register.filter
def due_full(value) -> str:
    """Absolute local time with the zone shown: 11月30日 周五 18:00 (UTC+8)."""
    if value is None:
        return ""
    local = timezone.localtime(value)
    return f"{date_text(local.date())} {local:%H:%M} ({zone_label(value)})"


@register.simple_tag
def current_zone() -> str:
    return zone_label()


@register.filter
def get_item(mapping, key):
    return (mapping or {}).get(key) if hasattr(mapping, "get") else None


@register.filter
def timer_target(timer) -> str:
    return target_text(timer.unit, timer.amount)
