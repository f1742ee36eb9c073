from django import template

from pipeline import permissions, reports

register = template.Library()


@register.simple_tag(takes_context=True)
def pipeline_caps(context):
    """The pipeline rights of the current membership (role and department)."""
    request = context.get("request")
    return permissions.capabilities(getattr(request, "membership", None))


# The page shows the figures as the exports do.
register.filter("percent", reports.pct)
register.filter("days", reports.days)
