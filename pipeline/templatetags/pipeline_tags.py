from django import template

from pipeline import reports

register = template.Library()


# The page shows the figures as the exports do.
register.filter("percent", reports.pct)
register.filter("days", reports.days)
