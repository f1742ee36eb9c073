"""The words of a lead's notification, rendered in the reader's language from
the facts stored with it (registered with requests_sla's notification texts)."""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.translation import gettext as _

from pipeline.leads.models import Lead, LeadKind


def lead_params(lead: Lead) -> dict:
    return {
        "account": lead.account.name,
        "kind": lead.kind,
        "amount": f"{lead.estimated_amount:,.2f}",
    }


def lead_text(params: Mapping) -> str:
    kind = params["kind"]
    return _("新线索：%(account)s，%(kind)s，预计 %(amount)s") % {
        "account": params["account"],
        "kind": LeadKind(kind).label if kind in LeadKind.values else kind,
        "amount": params["amount"],
    }
