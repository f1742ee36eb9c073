"""Demo data of pricing in both demo organizations, dated relative to today:
the catalog and price lists (demo/catalog.py), two bundles for the current
quarter, and quotes in every state on the demo deals — including one waiting
for Finance's head (``head-fin`` / ``other-fin``) to approve a discount.
Idempotent: an organization that has products is left alone."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from collab.tenancy import organization_scope
from departments.models import Membership, Organization
from pipeline.opportunities.models import Opportunity
from pricing.catalog.models import Product
from pricing.demo.catalog import bundles_load, catalog_load
from pricing.quotes import lifecycle, services
from requests_sla.approvals import services as approvals
from requests_sla.approvals.models import ApprovalStep, StepState

PEOPLE = {
    "demo": {"pm": "head-pm", "fin": "head-fin", "reps": ["rep", "rep2"]},
    "other": {"pm": "other-pm", "fin": "other-fin", "reps": ["other-rep", "other-rep2"]},
}
TERMS = {
    False: "付款：签约后 30 天内支付 100%。交付：签约后 4 周内上线。",
    True: "Payment: 100% within 30 days of signing. Delivery: live within 4 weeks of signing.",
}
# (the wanted state, rep index, lines (code, qty, line discount %), bundle, order discount %)
QUOTES = [
    ("draft", 0, [("erp-std", 1, 0), ("impl-day", 10, 0)], None, 0),
    ("pending", 0, [("erp-pro", 1, 25), ("sup-gold", 1, 0)], None, 5),
    ("approved", 1, [("erp-std", 2, 15)], None, 0),
    ("sent_back", 1, [("erp-pro", 1, 30)], None, 0),
    ("sent", 0, [("crm-seat", 50, 5), ("train-online", 50, 0)], None, 0),
    ("accepted", 1, [("sup-std", 1, 0)], "sprint", 0),
    ("declined", 0, [("data-migr", 1, 0)], None, 0),
    ("expired", 1, [("erp-std", 1, 5)], None, 0),
    ("superseded", 0, [("erp-std", 1, 0), ("erp-hr", 1, 0)], None, 0),
]


def _rows(products, lines):
    return [
        {"product": products[code].pk, "quantity": str(qty), "discount_pct": str(disc)}
        for code, qty, disc in lines
    ]


def _decide(quote, fin: Membership, action: str, reason: str, at: dt.datetime) -> None:
    step = ApprovalStep.objects.filter(
        request_id=quote.approval_request_id, state=StepState.PENDING
    ).first()
    if step is not None and step.approver_id == fin.user_id:
        approvals.step_act(step_id=step.pk, actor=fin, action=action, reason=reason, at=at)


def _quote(spec, ctx) -> None:
    state, rep_index, lines, bundle, order = spec
    own = ctx["deals"][rep_index % len(ctx["deals"])]
    rep, deal = own[ctx["count"] % len(own)]
    ctx["count"] += 1
    now, english = ctx["now"], ctx["english"]
    past = state == "expired"
    at = now - dt.timedelta(days=60 if past else 2)
    quote = services.quote_create(
        actor=rep,
        opportunity_id=deal.pk,
        lines=_rows(ctx["products"], lines),
        bundles=[{"bundle": ctx["bundles"][bundle].pk}] if bundle else [],
        order_discount_pct=str(order),
        language="en" if english else "zh-hans",
        terms=TERMS[english],
        quote_date=timezone.localdate(at),
        valid_until=timezone.localdate(at) + dt.timedelta(days=30),
        at=at,
    )
    if state in ("pending", "approved", "sent_back"):
        quote = lifecycle.quote_request_approval(actor=rep, quote_id=quote.pk, at=at)
        reason = {
            "approved": "",
            "sent_back": "8 折可批" if not english else "Approvable at 20% off",
        }
        if state in reason:
            action = "approve" if state == "approved" else "send_back"
            _decide(quote, ctx["fin"], action, reason[state], at + dt.timedelta(hours=1))
    if state in ("sent", "accepted", "declined", "expired", "superseded"):
        lifecycle.quote_send(actor=rep, quote_id=quote.pk, at=at)
    if state == "accepted":
        lifecycle.quote_accept(actor=rep, quote_id=quote.pk, at=at + dt.timedelta(hours=3))
    if state == "declined":
        lifecycle.quote_decline(actor=rep, quote_id=quote.pk, at=at + dt.timedelta(hours=3))
    if state == "superseded":
        v2 = services.quote_revise(actor=rep, quote_id=quote.pk, at=at + dt.timedelta(hours=1))
        lifecycle.quote_send(actor=rep, quote_id=v2.pk, at=at + dt.timedelta(hours=2))


def _deals(reps: list[Membership]) -> list[list[tuple[Membership, Opportunity]]]:
    """Each rep's open deals (an owner's own, as a rep may only quote on those)."""
    return [
        [
            (rep, deal)
            for deal in Opportunity.objects.filter(
                owner_id=rep.user_id, stage__is_won=False, stage__is_lost=False
            ).order_by("pk")[:10]
        ]
        for rep in reps
    ]


def load(*, organization: Organization, key: str) -> None:
    people = PEOPLE.get(key)
    with organization_scope(organization.id):
        if people is None or Product.objects.exists():
            return
        members = {
            m.user.username: m
            for m in Membership.objects.filter(is_active=True).select_related(
                "user", "department", "organization"
            )
        }
        pm, fin = members.get(people["pm"]), members.get(people["fin"])
        reps = [members[r] for r in people["reps"] if r in members]
        if pm is None or fin is None or not reps:
            return
        now = timezone.now()
        english = organization.default_language == "en"
        products = catalog_load(pm, timezone.localdate(now), english)
        sprint, starter = bundles_load(pm, products, timezone.localdate(now))
        deals = [d for d in _deals(reps) if d]
        if not deals:
            return
        ctx = {
            "now": now,
            "english": english,
            "products": products,
            "bundles": {"sprint": sprint, "starter": starter},
            "fin": fin,
            "deals": deals,
            "count": 0,
        }
        for spec in QUOTES:
            _quote(spec, ctx)
        lifecycle.quotes_expire(organization_id=organization.id, today=timezone.localdate(now))
