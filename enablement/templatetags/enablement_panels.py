"""``{% enablement_panels "campaign" campaign %}``: the panels higher apps
registered for the page (enablement/panels.py), in their order."""

from django import template
from django.utils.safestring import SafeString, mark_safe

from enablement.panels import panels

register = template.Library()


@register.simple_tag(takes_context=True)
def enablement_panels(context, page: str, obj) -> SafeString:
    # Each render returns HTML it built from a template (autoescaped).
    return mark_safe(panels.html(context.get("request"), page, obj))  # noqa: S308
