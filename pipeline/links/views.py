"""The "customer / deal" field of the request form: search-as-you-type and the picked value (htmx)."""

from __future__ import annotations

from django.shortcuts import render

from collab.decorators import membership_required
from collab.parsing import clean_text, optional_id
from pipeline.links import selectors


@membership_required("file_requests")
def link_lookup(request):
    """htmx: the open deals and accounts matching ``q`` that the member may see."""
    q = clean_text(request.GET.get("q", "")).strip()[:100]
    deals, accounts = selectors.link_lookup(request.membership, q)
    return render(
        request, "pipeline/_link_results.html", {"deals": deals, "accounts": accounts, "q": q}
    )


@membership_required("file_requests")
def link_pick(request):
    """htmx: the field with ``link`` chosen (or empty again to search)."""
    choice = None
    kind, _sep, number = request.GET.get("link", "").partition(":")
    if optional_id(number):
        choice = selectors.link_target(request.membership, kind, optional_id(number))
    return render(request, "pipeline/_link_control.html", {"choice": choice, "q": ""})
