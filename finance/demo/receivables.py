"""The demo's receivables: the won deals' payment plans, invoices and
payments, with two invoices long overdue and one partly paid (so the rules
raise warnings), and one won deal left without a plan."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from departments.models import Membership
from finance.receivables import services
from finance.receivables.services import MilestoneInput
from pipeline.accounts.models import Account
from pipeline.opportunities import services as opportunities_services
from pipeline.opportunities.models import Opportunity, Stage

# Per deal: (share of the amount, milestone, due in days from today, invoiced,
# paid share of the invoice). Negative days are in the past.
PLANS = [
    [
        (30, "deposit", -75, True, 100),
        (60, "acceptance", -40, True, 0),
        (10, "retention", 300, False, 0),
    ],
    [(50, "deposit", -50, True, 100), (50, "delivery", -10, True, 40)],
    [(40, "deposit", -20, True, 100), (60, "acceptance", 25, True, 0)],
    [(30, "deposit", -95, True, 0), (70, "acceptance", 60, False, 0)],
    [(100, "acceptance", 15, True, 0)],
]


def _share(amount: Decimal, pct: int) -> Decimal:
    return (amount * pct / 100).quantize(Decimal("0.01"))


def _won_deals(reps: list[Membership], now: dt.datetime) -> list[Opportunity]:
    """The organization's won CNY deals, topped up (through the pipeline's
    services, won about a hundred days ago) when the demo funnel won fewer."""
    wanted = len(PLANS) + 1
    won = Stage.objects.get(is_won=True)
    deals = list(
        Opportunity.objects.filter(stage=won, currency="CNY", amount__gt=0).order_by(
            "-amount", "id"
        )[:wanted]
    )
    # The reps' customers first, then any other.
    accounts = sorted(
        Account.objects.select_related("owner"),
        key=lambda a: (a.owner_id not in {r.user_id for r in reps}, a.pk),
    )
    for n in range(max(wanted - len(deals), 0) if accounts else 0):
        account = accounts[n % len(accounts)]  # a small demo: two deals a customer
        owner = account.owner
        created = now - dt.timedelta(days=130 + 7 * n)
        deal = opportunities_services.opportunity_create(
            actor=owner,
            account=account,
            name=f"{account.name} · 2026",
            owner=owner,
            amount=Decimal(300_000 + 120_000 * n),
            expected_close_date=timezone.localdate(created + dt.timedelta(days=30)),
            at=created,
        )
        deals.append(
            opportunities_services.opportunity_move(
                opportunity=deal, stage=won, actor=owner, at=created + dt.timedelta(days=30)
            )
        )
    return deals


def load_receivables(fin: Membership, reps: list[Membership], now: dt.datetime) -> None:
    today = timezone.localdate(now)
    deals = _won_deals(reps, now)
    prefix = "FP" if fin.organization.default_language != "en" else "INV"
    number = 1000
    for deal, plan in zip(deals, PLANS, strict=False):  # the last deal keeps no plan
        milestones = services.plan_set(
            actor=fin,
            opportunity_id=deal.pk,
            milestones=[
                MilestoneInput(kind, _share(deal.amount, pct), today + dt.timedelta(days=due))
                for pct, kind, due, *_rest in plan
            ],
        )
        by_kind = {m.kind: m for m in milestones}
        for pct, kind, due, invoiced, paid_pct in plan:
            if not invoiced:
                continue
            number += 1
            due_on = today + dt.timedelta(days=due)
            invoice = services.invoice_issue(
                actor=fin,
                opportunity_id=deal.pk,
                number=f"{prefix}-{today.year}-{number}",
                amount=_share(deal.amount, pct),
                issued_on=due_on - dt.timedelta(days=30),
                due_on=due_on,
                milestone_id=by_kind[kind].pk,
            )
            if paid_pct:
                received = min(due_on - dt.timedelta(days=2), today)
                services.payment_record(
                    actor=fin,
                    invoice_id=invoice.pk,
                    amount=_share(invoice.amount, paid_pct),
                    received_on=received,
                    reference=invoice.number,
                )
