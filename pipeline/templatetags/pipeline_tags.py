from django import template

from pipeline import permissions

register = template.Library()


@register.simple_tag(takes_context=True)
def pipeline_caps(context):
    """The pipeline rights of the current membership (role and department)."""
    request = context.get("request")
    return permissions.capabilities(getattr(request, "membership", None))


@register.filter
def percent(value):
    return "—" if value is None else f"{value * 100:.1f}%"


@register.filter
def days(value):
    return "—" if value is None else f"{value:.1f}"
