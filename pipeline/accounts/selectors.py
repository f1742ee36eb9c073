"""Reads of accounts: who sees which customers, and who may own them."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import (
    QuerySet,
)

from departments.models import Membership
from pipeline import permissions
from pipeline.accounts.models import Account


def accounts_visible_to(membership) -> QuerySet[Account]:
    qs = Account.objects.select_related("owner")
    if permissions.sees_all_customers(membership):
        return qs
    return qs.filter(owner_id=membership.user_id)


def account_detail(membership, pk: int) -> Account:
    """One visible account with its contacts. The page's other panels (deals,
    follow-ups, leads, service records) belong to the sub-domains above this
    one: the template asks them through ``{% load pipeline_accounts %}``."""
    return accounts_visible_to(membership).prefetch_related("contacts").get(pk=pk)


def sellers() -> QuerySet[Membership]:
    """Members who can own accounts and deals (reps and the people who manage them)."""
    return (
        Membership.objects.filter(is_active=True)
        .select_related("user")
        .order_by("user__first_name", "user__username")
    )


def seller_users():
    """The users of ``sellers()``, for owner pickers."""
    return (
        get_user_model()
        .objects.filter(pk__in=sellers().values("user_id"))
        .order_by("first_name", "username")
    )
