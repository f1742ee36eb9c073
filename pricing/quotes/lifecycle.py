"""A quote's states: request approval, send, accept, decline, expire.

draft ──(within limits)──────────────→ sent → accepted | declined | expired
draft ──request approval→ pending_approval → approved → sent …
                                          ↘ rejected (edit, then again)
Sending a revision supersedes the other sent revision of the same number
(only one is sent at a time); accepting sets the deal's amount to the
quote's total including VAT, with the quote named in the deal's history.
Each action takes the optional ``lock_version`` the actor saw (the
optimistic check) and writes the quote's history row."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from collab.errors import ServiceError
from collab.history import history_note
from collab.tenancy import organization_scope
from pipeline.opportunities.services import opportunity_update
from pricing.catalog.selectors import policy_of
from pricing.permissions import can_quote_on
from pricing.quotes.approval import approval_file
from pricing.quotes.models import Quote, QuoteState
from pricing.quotes.services import quote_bump, quote_locked

if TYPE_CHECKING:
    from departments.models import Membership

CLOSED = (QuoteState.ACCEPTED, QuoteState.DECLINED, QuoteState.EXPIRED)


@contextlib.contextmanager
def _acting(
    actor: Membership,
    quote_id: int,
    lock_version: int | None,
    at: dt.datetime | None,
    *states: str,
) -> Iterator[tuple[Quote, dt.datetime]]:
    """The actor's scope and transaction, the quote locked and checked: the
    actor's to quote on (else 404), in one of ``states``."""
    at = at or timezone.now()
    with organization_scope(actor.organization_id), transaction.atomic():
        quote = quote_locked(quote_id, lock_version)
        if not can_quote_on(actor, quote.opportunity):
            raise Quote.DoesNotExist
        if quote.state not in states:
            raise ServiceError(
                _("当前状态（%(state)s）下不能执行此操作。") % {"state": quote.get_state_display()},
                field="state",
            )
        yield quote, at


def _moved(quote: Quote, actor: Membership, at: dt.datetime, state: str) -> Quote:
    quote.state = state
    quote_bump(quote, actor, at, state)
    quote.save()
    return quote


def quote_request_approval(
    *,
    actor: Membership,
    quote_id: int,
    lock_version: int | None = None,
    at: dt.datetime | None = None,
) -> Quote:
    """Send a quote that needs a discount approval to Finance's chain."""
    editable = (QuoteState.DRAFT, QuoteState.REJECTED)
    with _acting(actor, quote_id, lock_version, at, *editable) as (quote, at):
        if not quote.needs_approval:
            raise ServiceError(_("这份报价在销售权限内，无需审批，可以直接发送。"))
        limit = policy_of(actor.organization_id).rep_discount_limit
        quote.approval_request = approval_file(quote, actor, at, limit)
        quote.approval_note = ""
        return _moved(quote, actor, at, QuoteState.PENDING_APPROVAL)


def quote_send(
    *,
    actor: Membership,
    quote_id: int,
    lock_version: int | None = None,
    at: dt.datetime | None = None,
) -> Quote:
    """Mark the quote sent to the customer. An unapproved quote that needs
    approval is refused; the number's other sent revision is superseded."""
    sendable = (QuoteState.DRAFT, QuoteState.REJECTED, QuoteState.APPROVED)
    with _acting(actor, quote_id, lock_version, at, *sendable) as (quote, at):
        if quote.state != QuoteState.APPROVED and quote.needs_approval:
            raise ServiceError(
                _("报价低于底价或超出折扣权限，须先通过财务审批才能发送。"), field="state"
            )
        if quote.state == QuoteState.REJECTED:
            raise ServiceError(_("审批被驳回的报价单须修改后再提交。"), field="state")
        if quote.valid_until < timezone.localdate(at):
            raise ServiceError(_("报价已过有效期，请新建版本。"), field="valid_until")
        others = Quote.objects.select_for_update().filter(
            number=quote.number, state=QuoteState.SENT
        )
        for other in others.exclude(pk=quote.pk):
            _moved(other, actor, at, QuoteState.SUPERSEDED)
        quote.sent_at = at
        return _moved(quote, actor, at, QuoteState.SENT)


def quote_accept(
    *,
    actor: Membership,
    quote_id: int,
    lock_version: int | None = None,
    at: dt.datetime | None = None,
) -> Quote:
    """The customer accepted the sent quote: the deal's amount becomes the
    quote's total (including VAT); the number's other open revisions are
    superseded."""
    with _acting(actor, quote_id, lock_version, at, QuoteState.SENT) as (quote, at):
        quote.decided_at = at
        _moved(quote, actor, at, QuoteState.ACCEPTED)
        Quote.objects.filter(number=quote.number).exclude(pk=quote.pk).exclude(
            state__in=CLOSED
        ).update(state=QuoteState.SUPERSEDED, updated_at=at)
        opportunity = quote.opportunity
        # The deal's history says why its amount changed.
        history_note(opportunity, user=actor.user, reason=f"quote {quote.reference} accepted")
        opportunity_update(
            opportunity=opportunity, actor=actor.user, amount=quote.total, currency=quote.currency
        )
        return quote


def quote_decline(
    *,
    actor: Membership,
    quote_id: int,
    lock_version: int | None = None,
    at: dt.datetime | None = None,
) -> Quote:
    with _acting(actor, quote_id, lock_version, at, QuoteState.SENT) as (quote, at):
        quote.decided_at = at
        return _moved(quote, actor, at, QuoteState.DECLINED)


def quotes_expire(*, organization_id: int, today: dt.date) -> int:
    """Sent quotes past their validity become expired (safe to run twice)."""
    now = timezone.now()
    with organization_scope(organization_id), transaction.atomic():
        # Row by row in memory (a day's expiries are few) so each quote's
        # history says when and why it expired, and its lock_version moves:
        # a form opened on the sent quote cannot then save over the expiry.
        quotes = list(
            Quote.objects.select_for_update()
            .filter(state=QuoteState.SENT, valid_until__lt=today)
            .order_by("pk")
        )
        for quote in quotes:
            quote.state = QuoteState.EXPIRED
            quote.updated_at = now
            quote.lock_version += 1
        if quotes:
            bulk_update_with_history(
                quotes,
                Quote,
                ["state", "updated_at", "lock_version"],
                default_change_reason=_("有效期已过"),
                default_date=now,
            )
        return len(quotes)
