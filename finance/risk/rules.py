"""The payment-risk rules: each returns the warnings it would raise now.

Every rule reads only candidates that have no warning of that rule yet
(``NOT EXISTS`` on the warning's subject), so a full run costs what is new,
and the unique (organization, rule, key) makes a warning raised twice by
two runs a no-op. ``since`` (the last run) narrows the account-driven rules
to accounts whose invoices changed; the date-driven rules read the open
invoices by their due date (a partial index).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Count, Exists, F, OuterRef, Q, Sum

from finance.receivables.models import Invoice, Milestone
from finance.risk.models import RiskWarning, Rule
from pipeline.opportunities.models import Opportunity

OVERDUE_DAYS = 30
LATE_PAYER_MIN = 2
CONCENTRATION_PCT = Decimal("40")
CONCENTRATION_MIN_ACCOUNTS = 3
NO_PLAN_WORKING_DAYS = 5


def working_days_before(day: dt.date, n: int) -> dt.date:
    """``n`` working days (Monday–Friday) before ``day``."""
    while n > 0:
        day -= dt.timedelta(days=1)
        if day.weekday() < 5:
            n -= 1
    return day


def _warning(rule: str, key: str, **fields: object) -> RiskWarning:
    return RiskWarning(rule=rule, key=key, **fields)


def _without(rule: str, subject: str) -> Exists:
    return Exists(RiskWarning.objects.filter(rule=rule, **{subject: OuterRef("pk")}))


def _recent(since: dt.datetime | None, due_from: dt.date | None) -> Q:
    """Incremental runs read only invoices that changed since the last run or
    whose due date crossed a threshold since then (the due-date index)."""
    if since is None or due_from is None:
        return Q()
    return Q(updated_at__gte=since) | Q(due_on__gte=due_from)


def overdue(today: dt.date, since: dt.datetime | None = None) -> list[RiskWarning]:
    cutoff = today - dt.timedelta(days=OVERDUE_DAYS)
    due_from = since.date() - dt.timedelta(days=OVERDUE_DAYS + 1) if since else None
    rows = (
        Invoice.objects.filter(paid__lt=F("amount"), due_on__lt=cutoff)
        .filter(_recent(since, due_from))
        .exclude(_without(Rule.OVERDUE, "invoice"))
        .values(
            "pk",
            "number",
            "account_id",
            "opportunity_id",
            "owner_id",
            "amount",
            "paid",
            "currency",
            "due_on",
        )
    )
    return [
        _warning(
            Rule.OVERDUE,
            f"inv:{r['pk']}",
            invoice_id=r["pk"],
            account_id=r["account_id"],
            opportunity_id=r["opportunity_id"],
            owner_id=r["owner_id"],
            facts={
                "number": r["number"],
                "days": (today - r["due_on"]).days,
                "open": str(r["amount"] - r["paid"]),
                "currency": r["currency"],
                "limit": OVERDUE_DAYS,
            },
        )
        for r in rows
    ]


def partial(today: dt.date, since: dt.datetime | None = None) -> list[RiskWarning]:
    due_from = since.date() - dt.timedelta(days=1) if since else None
    rows = (
        Invoice.objects.filter(paid__lt=F("amount"), paid__gt=0, due_on__lt=today)
        .filter(_recent(since, due_from))
        .exclude(_without(Rule.PARTIAL, "invoice"))
        .values(
            "pk", "number", "account_id", "opportunity_id", "owner_id", "amount", "paid", "currency"
        )
    )
    return [
        _warning(
            Rule.PARTIAL,
            f"inv:{r['pk']}",
            invoice_id=r["pk"],
            account_id=r["account_id"],
            opportunity_id=r["opportunity_id"],
            owner_id=r["owner_id"],
            facts={
                "number": r["number"],
                "paid": str(r["paid"]),
                "amount": str(r["amount"]),
                "currency": r["currency"],
            },
        )
        for r in rows
    ]


def late_payer(since: dt.datetime | None) -> list[RiskWarning]:
    invoices = Invoice.objects.all()
    if since is not None:
        changed = Invoice.objects.filter(updated_at__gte=since).values("account_id")
        invoices = invoices.filter(account_id__in=changed)
    rows = (
        invoices.filter(paid_on__gt=F("due_on"))
        .values("account_id", "account__owner_id")
        .annotate(late=Count("id"))
        .filter(late__gte=LATE_PAYER_MIN)
        .exclude(
            Exists(
                RiskWarning.objects.filter(rule=Rule.LATE_PAYER, account_id=OuterRef("account_id"))
            )
        )
    )
    return [
        _warning(
            Rule.LATE_PAYER,
            f"acc:{r['account_id']}",
            account_id=r["account_id"],
            owner_id=r["account__owner_id"],
            facts={"late": r["late"]},
        )
        for r in rows
    ]


def concentration(currency: str = "CNY") -> list[RiskWarning]:
    per_account = list(
        Invoice.objects.filter(paid__lt=F("amount"), currency=currency)
        .values("account_id", "account__owner_id")
        .annotate(open=Sum(F("amount") - F("paid")))
    )
    total = sum((r["open"] for r in per_account), Decimal("0"))
    if len(per_account) < CONCENTRATION_MIN_ACCOUNTS or not total:
        return []
    warned = set(
        RiskWarning.objects.filter(rule=Rule.CONCENTRATION).values_list("account_id", flat=True)
    )
    out = []
    for r in per_account:
        share = (r["open"] / total * 100).quantize(Decimal("0.1"))
        if share > CONCENTRATION_PCT and r["account_id"] not in warned:
            out.append(
                _warning(
                    Rule.CONCENTRATION,
                    f"acc:{r['account_id']}",
                    account_id=r["account_id"],
                    owner_id=r["account__owner_id"],
                    facts={
                        "share": str(share),
                        "open": str(r["open"]),
                        "currency": currency,
                        "limit": str(CONCENTRATION_PCT),
                    },
                )
            )
    return out


def no_plan(today: dt.date, since: dt.datetime | None = None) -> list[RiskWarning]:
    cutoff = working_days_before(today, NO_PLAN_WORKING_DAYS)
    deals = Opportunity.objects.filter(stage__is_won=True, stage_entered_at__date__lt=cutoff)
    if since is not None:
        # Deals that crossed the cutoff since the last run (a plan deleted
        # later is caught by the weekly full run).
        start = working_days_before(since.date(), NO_PLAN_WORKING_DAYS) - dt.timedelta(days=1)
        deals = deals.filter(stage_entered_at__date__gte=start)
    rows = (
        deals.exclude(Exists(Milestone.objects.filter(opportunity_id=OuterRef("pk"))))
        .exclude(_without(Rule.NO_PLAN, "opportunity"))
        .values("pk", "name", "account_id", "owner_id", "stage_entered_at")
    )
    return [
        _warning(
            Rule.NO_PLAN,
            f"opp:{r['pk']}",
            opportunity_id=r["pk"],
            account_id=r["account_id"],
            owner_id=r["owner_id"],
            facts={"deal": r["name"], "days": _working_days(r["stage_entered_at"].date(), today)},
        )
        for r in rows
    ]


def _working_days(start: dt.date, end: dt.date) -> int:
    days, day = 0, start
    while day < end:
        day += dt.timedelta(days=1)
        days += day.weekday() < 5
    return days


RULES = ("overdue", "partial", "late_payer", "concentration", "no_plan")
__all__ = ["RULES", "Q"]
