"""Reads of payout runs, with the rep-visibility rule: a rep reads only their
own lines; managers, Finance and ops managers read all."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import QuerySet, Sum

from departments.models import Membership
from incentives.payouts.models import PayoutLine, PayoutRun, RunState
from incentives.permissions import sees_all_figures
from incentives.sprints.models import Sprint

ZERO = Decimal("0.00")


def runs_of(sprint: Sprint) -> QuerySet[PayoutRun]:
    return PayoutRun.objects.filter(sprint=sprint).order_by("number")


def lines_visible_to(membership: Membership, run: PayoutRun) -> QuerySet[PayoutLine]:
    qs = PayoutLine.objects.filter(run=run).order_by("user_id", "id")
    if sees_all_figures(membership):
        return qs
    return qs.filter(user_id=membership.user_id)


@dataclass
class RepPayout:
    user_id: int
    name: str
    lines: list[PayoutLine] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return sum((ln.amount for ln in self.lines), ZERO)


def run_by_rep(membership: Membership, run: PayoutRun) -> list[RepPayout]:
    """The run's lines grouped per rep (two queries)."""
    lines = list(lines_visible_to(membership, run))
    users = get_user_model().objects.in_bulk({ln.user_id for ln in lines})
    reps: dict[int, RepPayout] = {}
    for line in lines:
        user = users[line.user_id]
        rep = reps.setdefault(
            line.user_id, RepPayout(line.user_id, user.get_full_name() or user.username)
        )
        rep.lines.append(line)
    return sorted(reps.values(), key=lambda r: (-r.total, r.name))


def paid_out(sprint: Sprint) -> Decimal:
    """What the approved runs of the sprint pay, in total."""
    total = PayoutRun.objects.filter(sprint=sprint, state=RunState.APPROVED).aggregate(
        s=Sum("total")
    )["s"]
    return total or ZERO


def totals_by_user(run: PayoutRun) -> dict[int, Decimal]:
    out: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for row in PayoutLine.objects.filter(run=run).values("user_id").annotate(s=Sum("amount")):
        out[row["user_id"]] = row["s"]
    return dict(out)
