"""Flags on the account a new deal or quote is for (finance's payment-risk
warning), drawn by the apps above through ``pipeline.panels`` page
``account_flags`` so the business sees the risk before promising more.

The forms render the flags of the account they already name (a preselected
account, or the one posted back with an error), and their account or deal
select asks ``account_flags`` (htmx, on change) for the chosen one's."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render

from collab.parsing import optional_id
from pipeline import permissions
from pipeline.accounts.models import Account
from pipeline.accounts.selectors import accounts_visible_to
from pipeline.opportunities.selectors import opportunities_visible_to
from pipeline.permissions import pipeline_required

TARGET = "account-flags"


def flagged_account(membership, *, account=None, opportunity=None) -> Account | None:
    """The visible account a form names, by its id or its deal's; else None."""
    if (account_id := optional_id(account)) is not None:
        return accounts_visible_to(membership).filter(pk=account_id).first()
    if (deal_id := optional_id(opportunity)) is not None:
        deal = opportunities_visible_to(membership).select_related("account")
        found = deal.filter(pk=deal_id).first()
        return found.account if found is not None else None
    return None


def flags_attrs(url: str) -> dict[str, str]:
    """The select's htmx attributes: on change, fetch the chosen one's flags."""
    return {"hx-get": url, "hx-trigger": "change", "hx-target": f"#{TARGET}"}


@pipeline_required(permissions.can_view_pipeline)
def account_flags(request):
    """The chosen account's (or deal's account's) flags. Nothing chosen (the
    select's empty option) is an empty fragment; an id the member cannot see
    — another organization's, another rep's, a missing or malformed one — is
    a 404, so the endpoint never answers about an account it would not show."""
    account_id, deal_id = request.GET.get("account"), request.GET.get("opportunity")
    if not account_id and not deal_id:
        return render(request, "pipeline/_account_flags.html", {"flag_account": None})
    account = flagged_account(request.membership, account=account_id, opportunity=deal_id)
    if account is None:
        raise Http404
    return render(request, "pipeline/_account_flags.html", {"flag_account": account})
