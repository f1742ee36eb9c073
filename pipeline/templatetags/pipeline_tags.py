from django import template

from pipeline.funnel import presentation as reports

register = template.Library()


# The page shows the figures as the exports do.
register.filter("percent", reports.pct)
register.filter("days", reports.days)
