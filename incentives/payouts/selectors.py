"""Reads of payout runs, with the rep-visibility rule: a rep reads only their
own lines; managers, Finance and ops managers read all."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import QuerySet, Sum

from departments.models import Membership
from incentives.payouts.calc import Credit, Portion, cap_reduction, commission_portions
from incentives.payouts.models import PayoutLine, PayoutRun, RunState
from incentives.permissions import sees_all_figures
from incentives.plans.models import Basis, CommissionPlan
from incentives.plans.parts import deal_parts
from incentives.plans.selectors import plan_versions
from incentives.sprints import figures
from incentives.sprints.models import Sprint

ZERO = Decimal("0.00")


def credits_of(sprint: Sprint, basis: str, user_ids: list[int]) -> dict[int, list[Credit]]:
    """What each rep is credited with: the won deals, or the payments
    collected, each with its deal's parts (categories and bundles)."""
    out: dict[int, list[Credit]] = defaultdict(list)
    args = (user_ids, sprint.start, sprint.end, sprint.currency)
    if basis == Basis.WON:
        rows = figures.won_deals(*args)
        parts = deal_parts(row["id"] for row in rows)
        for row in rows:
            out[row["owner_id"]].append(
                Credit(
                    row["id"],
                    row["name"],
                    row["day"],
                    row["day"],
                    row["amount"],
                    tuple(parts.get(row["id"], ())),
                )
            )
        return out
    rows = figures.collected_payments(*args)
    parts = deal_parts(row["opportunity_id"] for row in rows)
    for row in rows:
        out[row["owner_id"]].append(
            Credit(
                row["opportunity_id"],
                row["name"],
                row["received_on"],
                row["win_day"],
                row["amount"],
                tuple(parts.get(row["opportunity_id"], ())),
            )
        )
    return out


@dataclass
class Projection:
    portions: list[Portion]
    cap_cut: Decimal

    @property
    def total(self) -> Decimal:
        return sum((p.amount for p in self.portions), ZERO) - self.cap_cut


def projected_commission(sprint: Sprint, user_id: int, target: Decimal | None) -> Projection | None:
    """The rep's commission if the sprint ended today (their own page)."""
    if sprint.plan_id is None:
        return None
    versions = plan_versions(sprint.plan_id)
    basis = CommissionPlan.objects.values_list("basis", flat=True).get(pk=sprint.plan_id)
    credits = credits_of(sprint, basis, [user_id]).get(user_id, [])
    portions, _unpaid = commission_portions(credits, versions, target)
    return Projection(portions, cap_reduction(portions, versions, sprint.end))


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
