"""Reads of receivables and the collections analysis (回款分析).

Every figure is in one currency (CNY by default): there is no rate table, so
amounts in other currencies are never added in (``collab.money``). Each
figure is one aggregate query over the invoices the member may see.

* Aging: open amount by days past due — not due, 1–30, 31–60, 61–90, >90.
* DSO: open receivables today ÷ amount invoiced in the last ``days`` days ×
  ``days`` (the count-back-free, "simple" DSO the CFO handbooks give).
* Collected vs planned per month: payments received vs milestones due.
* Collection rate per rep, team (the rep's department) or customer: paid ÷
  invoiced, over invoices due on or before today.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, DecimalField, F, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, TruncMonth
from django.utils.translation import gettext as _

from collab.money import round_money
from departments.models import Membership, bilingual
from finance.permissions import sees_all_finance
from finance.receivables.models import Invoice, Milestone, Payment
from pipeline.permissions import is_sales_head

ZERO = Decimal("0.00")
BUCKETS = ("not_due", "d1_30", "d31_60", "d61_90", "d90_plus")
_MONEY = DecimalField(max_digits=16, decimal_places=2)


def invoices_visible_to(membership: Membership) -> QuerySet[Invoice]:
    """Finance, ops and the admin see every invoice; the sales head too; a
    rep sees the invoices of their own deals."""
    qs = Invoice.objects.all()
    return qs if sees_all_receivables(membership) else qs.filter(owner_id=membership.user_id)


def sees_all_receivables(membership: Membership) -> bool:
    return sees_all_finance(membership) or is_sales_head(membership)


def _sum(expr: F | Q | None = None, when: Q | None = None) -> Coalesce:
    value = F("amount") - F("paid") if expr is None else expr
    return Coalesce(Sum(value, filter=when, output_field=_MONEY), Value(ZERO), output_field=_MONEY)


def _bucket_filters(today: dt.date) -> dict[str, Q]:
    def past(days: int) -> dt.date:
        return today - dt.timedelta(days=days)

    return {
        "not_due": Q(due_on__gte=today),
        "d1_30": Q(due_on__lt=today, due_on__gte=past(30)),
        "d31_60": Q(due_on__lt=past(30), due_on__gte=past(60)),
        "d61_90": Q(due_on__lt=past(60), due_on__gte=past(90)),
        "d90_plus": Q(due_on__lt=past(90)),
    }


def bucket_filter(bucket: str, today: dt.date) -> Q:
    """The drill-down: the open invoices of one bucket."""
    return _bucket_filters(today)[bucket] & Q(paid__lt=F("amount"))


def aging(invoices: QuerySet[Invoice], today: dt.date, currency: str = "CNY") -> dict[str, Decimal]:
    """Open amount per bucket, plus ``total``; one query."""
    open_ = invoices.filter(currency=currency, paid__lt=F("amount"))
    figures = open_.aggregate(
        **{name: _sum(when=q) for name, q in _bucket_filters(today).items()}, total=_sum()
    )
    return {k: round_money(v) for k, v in figures.items()}


def _dso_terms(today: dt.date, days: int) -> dict[str, Coalesce]:
    """The DSO's two aggregates: receivables open today, sales of the window."""
    return {
        "open": _sum(when=Q(paid__lt=F("amount"))),
        "sales": _sum(
            F("amount"),
            when=Q(issued_on__gt=today - dt.timedelta(days=days), issued_on__lte=today),
        ),
    }


def _dso_days(figures: dict[str, Decimal], days: int) -> Decimal | None:
    """Open ÷ sales × days, or None when nothing was invoiced in the window."""
    if not figures["sales"]:
        return None
    return (figures["open"] / figures["sales"] * days).quantize(Decimal("0.1"))


def _rate(paid: Decimal, due: Decimal) -> Decimal | None:
    """Paid ÷ due in percent (an overpayment counts as 100), None with nothing due."""
    if not due:
        return None
    return (min(paid, due) / due * 100).quantize(Decimal("0.1"))


def dso(
    invoices: QuerySet[Invoice], today: dt.date, days: int = 90, currency: str = "CNY"
) -> Decimal | None:
    """Days sales outstanding, or None when nothing was invoiced."""
    figures = invoices.filter(currency=currency).aggregate(**_dso_terms(today, days))
    return _dso_days(figures, days)


@dataclass(frozen=True)
class Headline:
    open: Decimal
    overdue: Decimal
    due: Decimal
    paid: Decimal
    dso: Decimal | None

    @property
    def rate(self) -> Decimal | None:
        return _rate(self.paid, self.due)


def headline(
    invoices: QuerySet[Invoice], today: dt.date, days: int = 90, currency: str = "CNY"
) -> Headline:
    """The ops dashboard's collections panel in one query: open and overdue
    receivables, the collection rate (paid ÷ due, invoices due by today) and
    the DSO, each as the page computes it."""
    f = invoices.filter(currency=currency).aggregate(
        **_dso_terms(today, days),
        overdue=_sum(when=Q(paid__lt=F("amount"), due_on__lt=today)),
        due=_sum(F("amount"), when=Q(due_on__lte=today)),
        paid=_sum(F("paid"), when=Q(due_on__lte=today)),
    )
    return Headline(
        round_money(f["open"]),
        round_money(f["overdue"]),
        round_money(f["due"]),
        round_money(f["paid"]),
        _dso_days(f, days),
    )


@dataclass(frozen=True)
class MonthRow:
    month: dt.date
    planned: Decimal
    collected: Decimal


def monthly(
    membership: Membership, start: dt.date, end: dt.date, currency: str = "CNY"
) -> list[MonthRow]:
    """Collected vs planned per month from ``start`` to ``end`` (two queries)."""
    invoices = invoices_visible_to(membership)
    milestones = Milestone.objects.filter(currency=currency, due_on__gte=start, due_on__lte=end)
    if not sees_all_receivables(membership):
        milestones = milestones.filter(opportunity__owner_id=membership.user_id)
    payments = Payment.objects.filter(
        currency=currency,
        received_on__gte=start,
        received_on__lte=end,
        invoice__in=invoices,
    )
    planned = dict(
        milestones.annotate(m=TruncMonth("due_on"))
        .values("m")
        .annotate(s=Sum("amount"))
        .values_list("m", "s")
    )
    collected = dict(
        payments.annotate(m=TruncMonth("received_on"))
        .values("m")
        .annotate(s=Sum("amount"))
        .values_list("m", "s")
    )
    rows, month = [], start.replace(day=1)
    while month <= end:
        rows.append(MonthRow(month, planned.get(month, ZERO), collected.get(month, ZERO)))
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return rows


@dataclass(frozen=True)
class RateRow:
    key: int
    label: str
    due: Decimal
    paid: Decimal
    invoices: int

    @property
    def rate(self) -> Decimal | None:
        return _rate(self.paid, self.due)


def collection_rates(
    invoices: QuerySet[Invoice], today: dt.date, by: str, currency: str = "CNY"
) -> list[RateRow]:
    """Paid ÷ invoiced per rep (``by="owner"``) or customer (``"account"``),
    over invoices due on or before ``today``; worst first. One query."""
    label = {"owner": "owner__username", "account": "account__name"}[by]
    rows = (
        invoices.filter(currency=currency, due_on__lte=today)
        .values(f"{by}_id", label)
        .annotate(due=Sum("amount"), paid=Sum("paid"), n=Count("id"))
        .order_by(f"{by}_id")
    )
    result = [RateRow(r[f"{by}_id"], r[label], r["due"], r["paid"], r["n"]) for r in rows]
    return sorted(result, key=lambda r: (r.rate if r.rate is not None else Decimal(101), r.key))


def collection_rates_by_team(by_rep: list[RateRow]) -> list[RateRow]:
    """The per-rep rows added up per team: the owner's department, as the
    funnel's team filter reads it (one query for the memberships). A rep with
    no department is counted under key 0, "no team"; worst first."""
    teams, names = {}, {}
    for user_id, team, zh, en in (
        Membership.objects.filter(user_id__in=[r.key for r in by_rep], is_active=True)
        .exclude(department__isnull=True)
        .values_list("user_id", "department_id", "department__name_zh", "department__name_en")
    ):
        teams[user_id], names[team] = team, bilingual(zh, en)
    sums: dict[int, list] = {}
    for row in by_rep:
        team = teams.get(row.key, 0)
        acc = sums.setdefault(team, [ZERO, ZERO, 0])
        acc[0], acc[1], acc[2] = acc[0] + row.due, acc[1] + row.paid, acc[2] + row.invoices
    result = [
        RateRow(team, names.get(team) or _("未分配团队"), due, paid, n)
        for team, (due, paid, n) in sums.items()
    ]
    return sorted(result, key=lambda r: (r.rate if r.rate is not None else Decimal(101), r.key))


def unmatched_payments() -> QuerySet[Payment]:
    return Payment.objects.filter(invoice__isnull=True).order_by("-received_on", "id")
