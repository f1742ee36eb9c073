"""What a sprint's progress is made of, read from the pipeline and finance.

* won: the amount of deals in a won stage whose stage was entered (the win)
  inside the period, by owner;
* collected (回款): payments received inside the period on invoices of the
  rep's deals (``Invoice.owner``), by owner;
* new accounts: accounts created inside the period, by owner;
* forecast: open deals expected to close between today and the period's
  end, weighted by probability.

One aggregate query per measure, grouped by owner, in the sprint's currency
(amounts in another currency are never added in: there is no rate table).

The live progress reads won, collected and the forecast from the rollups
(``sprints.rollups``, kept by PostgreSQL triggers) instead: these direct
aggregates over every deal and payment are what the rollups must equal
(``tests/test_rollups.py``); the deal and payment lists below are what a
rep's projected commission walks.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from django.db.models import Count, DecimalField, F, QuerySet, Sum
from django.utils import timezone

from collab.money import round_money
from finance.models import Payment
from pipeline.accounts.models import Account
from pipeline.opportunities.models import Opportunity

ZERO = Decimal("0.00")
_MONEY = DecimalField(max_digits=18, decimal_places=4)


def bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The period as aware instants: from the start's midnight to the day after the end."""
    tz = timezone.get_current_timezone()
    return (
        dt.datetime.combine(start, dt.time.min, tzinfo=tz),
        dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz),
    )


def _won(
    user_ids: Iterable[int], start: dt.date, end: dt.date, currency: str
) -> QuerySet[Opportunity]:
    since, until = bounds(start, end)
    return Opportunity.objects.filter(
        owner_id__in=list(user_ids),
        stage__is_won=True,
        currency=currency,
        stage_entered_at__gte=since,
        stage_entered_at__lt=until,
    )


def _collected(
    user_ids: Iterable[int], start: dt.date, end: dt.date, currency: str
) -> QuerySet[Payment]:
    return Payment.objects.filter(
        invoice__owner_id__in=list(user_ids),
        currency=currency,
        received_on__gte=start,
        received_on__lte=end,
    )


def won_by_owner(
    user_ids: Iterable[int], start: dt.date, end: dt.date, currency: str
) -> dict[int, Decimal]:
    rows = _won(user_ids, start, end, currency).values("owner_id").annotate(total=Sum("amount"))
    return {r["owner_id"]: round_money(r["total"]) for r in rows}


def collected_by_owner(
    user_ids: Iterable[int], start: dt.date, end: dt.date, currency: str
) -> dict[int, Decimal]:
    rows = (
        _collected(user_ids, start, end, currency)
        .values("invoice__owner_id")
        .annotate(total=Sum("amount"))
    )
    return {r["invoice__owner_id"]: round_money(r["total"]) for r in rows}


def new_accounts_by_owner(
    user_ids: Iterable[int], start: dt.date, end: dt.date
) -> dict[int, Decimal]:
    since, until = bounds(start, end)
    rows = (
        Account.objects.filter(
            owner_id__in=list(user_ids), created_at__gte=since, created_at__lt=until
        )
        .values("owner_id")
        .annotate(total=Count("id"))
    )
    return {r["owner_id"]: Decimal(r["total"]) for r in rows}


def forecast_by_owner(
    user_ids: Iterable[int], today: dt.date, end: dt.date, currency: str
) -> dict[int, Decimal]:
    """Weighted open pipeline expected to close from today to the period's end."""
    rows = (
        Opportunity.objects.filter(
            owner_id__in=list(user_ids),
            stage__is_won=False,
            stage__is_lost=False,
            currency=currency,
            expected_close_date__gte=today,
            expected_close_date__lte=end,
        )
        .values("owner_id")
        .annotate(total=Sum(F("amount") * F("probability") / 100, output_field=_MONEY))
    )
    return {r["owner_id"]: round_money(r["total"]) for r in rows}


def won_deals(user_ids: Iterable[int], start: dt.date, end: dt.date, currency: str) -> list[dict]:
    """The won deals behind the figure, with their win day (for commissions)."""
    tz = timezone.get_current_timezone()
    rows = list(
        _won(user_ids, start, end, currency)
        .values("id", "name", "owner_id", "amount", "stage_entered_at")
        .order_by("stage_entered_at", "id")
    )
    for row in rows:
        row["day"] = row["stage_entered_at"].astimezone(tz).date()
    return rows


def collected_payments(
    user_ids: Iterable[int], start: dt.date, end: dt.date, currency: str
) -> list[dict]:
    """The payments behind the 回款 figure, with their deal's win instant."""
    tz = timezone.get_current_timezone()
    rows = list(
        _collected(user_ids, start, end, currency)
        .values(
            "id",
            "amount",
            "received_on",
            owner_id=F("invoice__owner_id"),
            opportunity_id=F("invoice__opportunity_id"),
            name=F("invoice__opportunity__name"),
            won_at=F("invoice__opportunity__stage_entered_at"),
            is_won=F("invoice__opportunity__stage__is_won"),
        )
        .order_by("received_on", "id")
    )
    for row in rows:
        won_day = row["won_at"].astimezone(tz).date() if row["is_won"] else row["received_on"]
        row["win_day"] = min(won_day, row["received_on"])
    return rows
