"""``{% opportunity_postmortem opportunity as pm %}``: the lost deal's
post-mortem (with its meeting), or None. One query; scope must be active."""

from django import template

from pipeline.opportunities.postmortem import postmortem_of

register = template.Library()


@register.simple_tag
def opportunity_postmortem(opportunity):
    if opportunity is None or not opportunity.stage.is_lost:
        return None
    return postmortem_of(opportunity)
