"""``{% pipeline_panels "account" account %}``: the panels higher apps
registered for the page (pipeline/panels.py), in their order."""

from django import template
from django.utils.safestring import SafeString, mark_safe

from pipeline.panels import panels_of

register = template.Library()


@register.simple_tag(takes_context=True)
def pipeline_panels(context, page: str, obj) -> SafeString:
    request = context.get("request")
    # Each render returns HTML it built from a template (autoescaped).
    return mark_safe("".join(render(request, obj) for render in panels_of(page)))  # noqa: S308
