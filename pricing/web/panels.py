"""The deal page's quotes panel, registered with pipeline's page panels
(``pipeline.panels``) in ``PricingConfig.ready()``."""

from django.template.loader import render_to_string


def deal_quotes_panel(request, opportunity) -> str:
    """The deal's quotes and the 为这个商机报价 button (pricing_quotes reads the member)."""
    if getattr(request, "membership", None) is None:
        return ""
    return render_to_string(
        "pricing/_deal_quotes.html", {"opportunity": opportunity}, request=request
    )
