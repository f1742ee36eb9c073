"""The demo's commission rates by category and its product-mix sprint,
consistent with pricing's demo quotes: the deal whose quote a customer
accepted in pricing's demo is won (for a rep without one, a new quote — an
ERP licence, implementation days and the quarter's "sprint" bundle — is
sent and accepted first) and half of it collected, so the current sprint's
commission lines show per-category rates, the plan's rate lines (licences,
training, the sprint bundle) leave sold services and support unrated — the
plan page's warning — and the sprint's product mix counts the sprint bundle.

Runs after pricing's demo (its catalogue and bundles) and finance's people;
without a catalogue (pricing's demo not loaded) it writes nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from collab.errors import ServiceError
from departments.models import Membership
from finance.receivables import services as receivables
from incentives.plans.services import RateInput
from pipeline.opportunities.models import Opportunity, Stage
from pipeline.opportunities.services import opportunity_move
from pricing.bundles.models import Bundle
from pricing.catalog.models import Product
from pricing.quotes import lifecycle
from pricing.quotes import services as quotes
from pricing.quotes.models import OPEN_STATES, Quote, QuoteState

# The plan's rates: licences above the 3% base, training a little below, the
# sprint bundle most; implementation services left to the tier rate.
RATES = (("licence", Decimal("6")), ("training", Decimal("2")))
BUNDLE_RATE = Decimal("8")


def rate_lines() -> list[RateInput]:
    """The demo plan's rate lines (the sprint bundle's when pricing made it)."""
    lines = [RateInput(rate, category=category) for category, rate in RATES]
    bundle = sprint_bundle()
    if bundle is not None:
        lines.append(RateInput(BUNDLE_RATE, bundle_id=bundle.pk))
    return lines


def _open_deal(rep: Membership) -> Opportunity | None:
    """The rep's newest open deal without a quote yet, else without an open
    one (pricing's demo quotes on the first deals of each rep)."""
    deals = Opportunity.objects.filter(
        owner_id=rep.user_id, stage__is_won=False, stage__is_lost=False
    ).order_by("-pk")
    quoted = Quote.objects.values("opportunity_id")
    in_play = Quote.objects.filter(state__in=OPEN_STATES).values("opportunity_id")
    return deals.exclude(pk__in=quoted).first() or deals.exclude(pk__in=in_play).first()


def _lines(products: dict[str, Product], codes: tuple[tuple[str, int], ...]) -> list[dict]:
    return [
        {"product": products[code].pk, "quantity": str(qty), "discount_pct": "0"}
        for code, qty in codes
        if code in products
    ]


def _accepted_deal(rep: Membership) -> Opportunity | None:
    """The rep's open deal whose quote the customer accepted (pricing's demo)."""
    accepted = Quote.objects.filter(state=QuoteState.ACCEPTED).values("opportunity_id")
    return (
        Opportunity.objects.filter(
            owner_id=rep.user_id, stage__is_won=False, stage__is_lost=False, pk__in=accepted
        )
        .order_by("-pk")
        .first()
    )


def _quoted_now(
    rep: Membership, products: dict[str, Product], bundle: Bundle | None, at: dt.datetime
) -> Opportunity | None:
    """A new quote (an ERP licence, implementation days, the sprint bundle)
    on the rep's free open deal, sent and accepted; None if it cannot be."""
    deal = _open_deal(rep)
    if deal is None:
        return None
    try:
        quote = quotes.quote_create(
            actor=rep,
            opportunity_id=deal.pk,
            lines=_lines(products, (("erp-std", 1), ("impl-day", 10))),
            bundles=[{"bundle": bundle.pk}] if bundle is not None else [],
            quote_date=timezone.localdate(at),
            at=at,
        )
        lifecycle.quote_send(actor=rep, quote_id=quote.pk, at=at + dt.timedelta(hours=1))
        lifecycle.quote_accept(actor=rep, quote_id=quote.pk, at=at + dt.timedelta(hours=2))
    except ServiceError:
        return None  # a bundle this customer cannot have, an approval needed: no demo deal
    return Opportunity.objects.get(pk=deal.pk)


def won_with_quotes(reps: list[Membership], fin: Membership, now: dt.datetime) -> None:
    """Each rep's accepted quote (pricing's, else a new one), the deal won
    and half of it collected."""
    products = {p.code: p for p in Product.objects.all()}
    if "erp-std" not in products:
        return
    bundle = sprint_bundle()
    won = Stage.objects.filter(is_won=True).first()
    if won is None:
        return
    for rep in reps[:2]:
        deal = _accepted_deal(rep) or _quoted_now(rep, products, bundle, now - dt.timedelta(days=3))
        if deal is None:
            continue
        # Won once accepted, and never before the deal entered its stage.
        win_at = max(now, deal.stage_entered_at + dt.timedelta(minutes=1))
        deal = opportunity_move(opportunity=deal, stage=won, actor=rep.user, at=win_at)
        half = (deal.amount / 2).quantize(Decimal("0.01"))
        invoice = receivables.invoice_issue(
            actor=fin,
            opportunity_id=deal.pk,
            number=f"INV-Q-{deal.pk}",
            amount=half,
            issued_on=timezone.localdate(now),
            due_on=timezone.localdate(now) + dt.timedelta(days=30),
        )
        receivables.payment_record(
            actor=fin, invoice_id=invoice.pk, amount=half, received_on=timezone.localdate(now)
        )


def sprint_bundle() -> Bundle | None:
    """Pricing's demo bundle of the quarter (the product mix the sprint pushes)."""
    return Bundle.objects.filter(code="sprint", state="published").first()
