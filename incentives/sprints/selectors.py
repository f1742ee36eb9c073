"""Reads of sprints: live progress (attainment, gap, forecast, ranking), the
working days left, award standings, and which sprints a member sees.

Progress is computed on request: won, collected and the forecast from the
rollups (``rollups``, kept by PostgreSQL on every deal, stage and payment),
new accounts from the pipeline (``figures``) — two aggregate queries for the
whole sprint, whatever its size, plus the sprint's members and targets (read
as plain values: 2,000 reps are 2,000 rows, no model instances).
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone

from collab.tenancy import organization_scope
from departments.models import Membership
from incentives.permissions import sees_all_figures
from incentives.sprints import figures, mix, rollups
from incentives.sprints.models import (
    Award,
    Measure,
    Sprint,
    SprintMember,
    Target,
    TargetChange,
    TieBreak,
)
from requests_sla.sla.calendars import org_calendar

ZERO = Decimal("0.00")
MEASURES = (Measure.WON, Measure.COLLECTED, Measure.NEW_ACCOUNTS, Measure.PRODUCT_MIX)


def sprints_visible_to(membership: Membership) -> QuerySet[Sprint]:
    qs = Sprint.objects.all()
    if sees_all_figures(membership):
        return qs
    return qs.filter(members__user_id=membership.user_id)


def attainment(actual: Decimal, target: Decimal | None) -> Decimal | None:
    """Percent of target reached, one decimal, half up; None without a target."""
    if not target:
        return None
    return (actual * 100 / target).quantize(Decimal("0.1"))


@dataclass
class Figure:
    target: Decimal | None
    actual: Decimal

    @property
    def attainment(self) -> Decimal | None:
        return attainment(self.actual, self.target)

    @property
    def gap(self) -> Decimal | None:
        return None if self.target is None else max(self.target - self.actual, ZERO)


@dataclass
class Row:
    key: int
    name: str
    team_id: int
    team_name: str
    figures: dict[str, Figure]
    forecast: Decimal = ZERO  # weighted open pipeline closing inside the period
    rank: int | None = None
    joined: dt.date | None = None  # the day the rep joined the organization (tenure)

    def figure(self, measure: str) -> Figure:
        return self.figures[measure]

    @property
    def projected(self) -> Figure:
        won = self.figures[Measure.WON]
        return Figure(won.target, won.actual + self.forecast)


@dataclass
class Progress:
    sprint: Sprint
    today: dt.date
    working_days_left: int
    reps: list[Row]
    teams: list[Row]
    measures: list[str] = field(default_factory=list)


def working_days_left(sprint: Sprint, today: dt.date) -> int:
    if today > sprint.end:
        return 0
    return _working_days(sprint.organization_id, max(today, sprint.start), sprint.end, today)


@functools.lru_cache(maxsize=512)
def _working_days(organization_id: int, first: dt.date, last: dt.date, today: dt.date) -> int:
    """Working days from ``first`` to ``last`` on the organization's calendar.
    Building the calendar (official holidays) costs far more than the page's
    queries, and the answer only changes with the day: cached per process and
    day (``today`` is in the key), so a calendar edit shows the next day."""
    with organization_scope(organization_id):
        calendar = org_calendar(organization_id, timezone.now())
    day, count = first, 0
    while day <= last:
        count += calendar.is_working_day(day)
        day += dt.timedelta(days=1)
    return count


def _actuals(sprint: Sprint, user_ids: list[int], today: dt.date) -> dict[str, dict[int, Decimal]]:
    period = (sprint.start, sprint.end)
    sums = rollups.sums_by_owner(
        sprint.organization_id,
        user_ids,
        period,
        (max(today, sprint.start), sprint.end),
        sprint.currency,
    )
    return {
        Measure.WON: sums.won,
        Measure.COLLECTED: sums.collected,
        Measure.NEW_ACCOUNTS: figures.new_accounts_by_owner(user_ids, *period),
        Measure.PRODUCT_MIX: mix.mix_won_by_owner(sprint, user_ids),
        "forecast": sums.forecast,
    }


def _rank(rows: list[Row], measure: str) -> None:
    def key(row: Row) -> tuple[Decimal, Decimal, str]:
        fig = row.figures[measure]
        return (-(fig.attainment or Decimal(-1)), -fig.actual, row.name)

    for position, row in enumerate(sorted(rows, key=key), start=1):
        row.rank = position
    rows.sort(key=lambda r: r.rank or 0)


def _name(first: str, last: str, username: str) -> str:
    """``User.get_full_name() or username``, from the columns."""
    return f"{first} {last}".strip() or username


def sprint_progress(sprint: Sprint, today: dt.date | None = None) -> Progress:
    today = today or timezone.localdate()
    joined = Membership.objects.filter(
        organization_id=sprint.organization_id, user_id=OuterRef("user_id")
    ).values("created_at")[:1]
    members = list(
        SprintMember.objects.filter(sprint=sprint)
        .annotate(joined_at=Subquery(joined))
        .order_by("id")
        .values_list(
            "id",
            "user_id",
            "team_id",
            "team__name",
            "user__first_name",
            "user__last_name",
            "user__username",
            "joined_at",
        )
    )
    targets = list(
        Target.objects.filter(sprint=sprint).values_list(
            "member_id", "team_id", "measure", "amount"
        )
    )
    user_ids = [m[1] for m in members]
    actual = _actuals(sprint, user_ids, today)
    rep_targets = {(member, k): amount for member, _t, k, amount in targets if member}
    team_targets = {(team, k): amount for _m, team, k, amount in targets if team}
    reps = [
        Row(
            key=user_id,
            name=_name(first, last, username),
            team_id=team_id,
            team_name=team_name,
            figures={
                k: Figure(rep_targets.get((pk, k)), actual[k].get(user_id, ZERO)) for k in MEASURES
            },
            forecast=actual["forecast"].get(user_id, ZERO),
            joined=timezone.localdate(joined_at) if joined_at else None,
        )
        for pk, user_id, team_id, team_name, first, last, username, joined_at in members
    ]
    teams: dict[int, Row] = {}
    for rep in reps:
        team = teams.setdefault(
            rep.team_id,
            Row(
                key=rep.team_id,
                name=rep.team_name,
                team_id=rep.team_id,
                team_name=rep.team_name,
                figures={k: Figure(team_targets.get((rep.team_id, k)), ZERO) for k in MEASURES},
            ),
        )
        for k in MEASURES:
            team.figures[k].actual += rep.figures[k].actual
        team.forecast += rep.forecast
    team_rows = list(teams.values())
    _rank(reps, sprint.ranking_measure)
    _rank(team_rows, sprint.ranking_measure)
    measures = [k for k in MEASURES if any(t[2] == k for t in targets)] or [Measure.WON]
    return Progress(sprint, today, working_days_left(sprint, today), reps, team_rows, measures)


@dataclass
class Standing:
    award: Award
    ranked: list[tuple[Row, Decimal]]  # eligible reps (≥ minimum), best first
    winners: list[Row]


def award_standings(award: Award, progress: Progress) -> Standing:
    """Who wins the award now: reps with a target on its measure reaching the
    minimum, best attainment first; the tie-break decides equal attainment
    (``amount``: the higher actual first, then the name; ``shared``: everyone
    tied with the last place wins too). With ``min_tenure_days``, only reps
    who had been members that long on the sprint's last day qualify."""
    joined_by = progress.sprint.end - dt.timedelta(days=award.min_tenure_days)
    eligible = []
    for row in progress.reps:
        fig = row.figures[award.measure]
        tenured = not award.min_tenure_days or (row.joined is not None and row.joined <= joined_by)
        if tenured and fig.attainment is not None and fig.attainment >= award.min_attainment:
            eligible.append((row, fig.attainment))
    eligible.sort(key=lambda p: (-p[1], -p[0].figures[award.measure].actual, p[0].name))
    winners = [row for row, _pct in eligible[: award.top_n]]
    if award.tie_break == TieBreak.SHARED and len(eligible) > award.top_n:
        last = eligible[award.top_n - 1][1]
        winners += [row for row, pct in eligible[award.top_n :] if pct == last]
    return Standing(award, eligible, winners)


def target_history(sprint: Sprint) -> list[TargetChange]:
    return list(
        TargetChange.objects.filter(target__sprint=sprint)
        .select_related("target__member__user", "target__team", "changed_by")
        .order_by("-changed_at", "-id")[:50]
    )
