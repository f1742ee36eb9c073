"""Reads of payment-risk warnings: Finance, ops and the admin see all; a rep
the warnings of their own accounts and deals."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from departments.models import Membership
from finance.permissions import sees_all_finance
from finance.risk.models import RiskWarning, Rule, WarningState


def warnings_visible_to(membership: Membership) -> QuerySet[RiskWarning]:
    qs = RiskWarning.objects.select_related("account", "opportunity", "invoice", "owner")
    if sees_all_finance(membership):
        return qs
    return qs.filter(Q(owner_id=membership.user_id) | Q(account__owner_id=membership.user_id))


def open_warnings_of_account(membership: Membership, account_id: int) -> list[RiskWarning]:
    return list(
        warnings_visible_to(membership).filter(
            account_id=account_id, state__in=(WarningState.OPEN, WarningState.ACKNOWLEDGED)
        )
    )


def open_rules_of_account(account_id: int) -> list[tuple[str, int]]:
    """(rule label, count) of an account's unresolved warnings, whoever owns
    them: the flag on a new deal or quote for the account (one query)."""
    rows = (
        RiskWarning.objects.filter(
            account_id=account_id, state__in=(WarningState.OPEN, WarningState.ACKNOWLEDGED)
        )
        .values("rule")
        .annotate(n=Count("id"))
        .order_by("rule")
    )
    return [(str(Rule(r["rule"]).label), r["n"]) for r in rows]
