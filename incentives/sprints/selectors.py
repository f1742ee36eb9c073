"""Reads of sprints: live progress (attainment, gap, forecast, ranking), the
working days left, award standings, and which sprints a member sees.

Progress is computed on request, in two queries whatever the sprint's size:
one row per member with their targets, won, collected and the forecast from
the rollups (``rollups``, kept by PostgreSQL on every deal, stage and
payment) and their new accounts from the pipeline, all summed in PostgreSQL
(read as plain values: 2,000 reps are 2,000 rows, no model instances); then
the teams' targets. ``figures`` holds the direct aggregates they must equal.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone

from collab.tenancy import organization_scope
from departments.models import Membership
from incentives.permissions import sees_all_figures
from incentives.sprints import figures, mix, rollups
from incentives.sprints.models import (
    Award,
    Measure,
    Sprint,
    TargetChange,
    TieBreak,
)
from requests_sla.sla.calendars import org_calendar

ZERO = Decimal("0.00")
TENTH = Decimal("0.1")
MEASURES = (Measure.WON, Measure.COLLECTED, Measure.NEW_ACCOUNTS, Measure.PRODUCT_MIX)
# The same as plain strings, the keys of ``Row.figures``: a dict keyed by enum
# members costs an enum lookup per access, 2,000 rows × every measure.
WON, COLLECTED, NEW_ACCOUNTS, PRODUCT_MIX = (m.value for m in MEASURES)


def sprints_visible_to(membership: Membership) -> QuerySet[Sprint]:
    qs = Sprint.objects.all()
    if sees_all_figures(membership):
        return qs
    return qs.filter(members__user_id=membership.user_id)


def attainment(actual: Decimal, target: Decimal | None) -> Decimal | None:
    """Percent of target reached, one decimal, half up; None without a target."""
    if not target:
        return None
    return (actual * 100 / target).quantize(TENTH, rounding=ROUND_HALF_UP)


@dataclass(slots=True)
class Figure:
    target: Decimal | None
    actual: Decimal
    # The attainment and the (actual, target) it was computed from: ranking,
    # the award standings and the page each read it, 2,000 rows each.
    _memo: tuple[Decimal, Decimal | None, Decimal | None] | None = field(
        default=None, repr=False, compare=False
    )

    @property
    def attainment(self) -> Decimal | None:
        memo = self._memo
        if memo is None or memo[0] is not self.actual or memo[1] is not self.target:
            memo = self._memo = (self.actual, self.target, attainment(self.actual, self.target))
        return memo[2]

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


# One row per member of the sprint, with everything its figures are made of:
# the member's targets, what the rollups say they won, collected and have
# open (summed over the sprint's members only: a hash join, where a list of
# 2,000 ids was compared with every rollup row) and their new accounts.
_MEMBERS = """
WITH members AS (
    SELECT id, user_id, team_id FROM incentives_sprintmember
    WHERE organization_id = %(org)s AND sprint_id = %(sprint)s
), credit AS (
    SELECT owner_id, sum(won) FILTER (WHERE k = 0) AS won,
        sum(collected) FILTER (WHERE k = 0) AS collected,
        sum(weighted) FILTER (WHERE k = 1) AS weighted
    FROM ({credit}) x
    WHERE currency = %(currency)s AND owner_id IN (SELECT user_id FROM members)
    GROUP BY owner_id
), accounts AS (
    SELECT owner_id, count(*) AS n FROM pipeline_account
    WHERE organization_id = %(org)s AND created_at >= %(since)s AND created_at < %(until)s
        AND owner_id IN (SELECT user_id FROM members)
    GROUP BY owner_id
), goals AS (
    SELECT member_id,
        max(amount) FILTER (WHERE measure = 'won') AS won,
        max(amount) FILTER (WHERE measure = 'collected') AS collected,
        max(amount) FILTER (WHERE measure = 'new_accounts') AS new_accounts,
        max(amount) FILTER (WHERE measure = 'product_mix') AS product_mix
    FROM incentives_target
    WHERE organization_id = %(org)s AND sprint_id = %(sprint)s AND member_id IS NOT NULL
    GROUP BY member_id
)
SELECT m.id, m.user_id, m.team_id, t.name, u.first_name, u.last_name, u.username,
    (j.created_at AT TIME ZONE %(tz)s)::date,
    g.won, g.collected, g.new_accounts, g.product_mix,
    -- To the cent, half away from zero (``round_money``; × 0.01 is exact, where
    -- numeric division rounds to a scale of its own); no rollup row: 0.00.
    coalesce(round(c.won, 2), 0.00), coalesce(round(c.collected, 2), 0.00),
    coalesce(round(c.weighted * 0.01, 2), 0.00), a.n
FROM members m
JOIN auth_user u ON u.id = m.user_id
JOIN incentives_sprintteam t ON t.id = m.team_id
LEFT JOIN departments_membership j ON j.organization_id = %(org)s AND j.user_id = m.user_id
LEFT JOIN goals g ON g.member_id = m.id
LEFT JOIN credit c ON c.owner_id = m.user_id
LEFT JOIN accounts a ON a.owner_id = m.user_id
ORDER BY m.id
"""

# The teams' targets, and the measures anyone in the sprint has a target on.
_TEAM_TARGETS = """
SELECT team_id, measure, amount FROM incentives_target
WHERE organization_id = %(org)s AND sprint_id = %(sprint)s AND team_id IS NOT NULL
UNION ALL
SELECT DISTINCT NULL::bigint, measure, NULL::numeric FROM incentives_target
WHERE organization_id = %(org)s AND sprint_id = %(sprint)s AND member_id IS NOT NULL
"""


def _member_rows(sprint: Sprint, today: dt.date) -> list[tuple]:
    """The sprint's members with their targets and actuals, in one query
    (``figures`` holds the direct aggregates these must equal)."""
    credit, params = rollups.sums_sql(
        sprint.organization_id, (sprint.start, sprint.end), (max(today, sprint.start), sprint.end)
    )
    since, until = figures.bounds(sprint.start, sprint.end)
    params.update(
        sprint=sprint.pk,
        currency=sprint.currency,
        since=since,
        until=until,
        tz=timezone.get_current_timezone_name(),
    )
    with connection.cursor() as cur:
        cur.execute(_MEMBERS.format(credit=credit), params)  # noqa: S608 (constants)
        return cur.fetchall()


def _team_targets(sprint: Sprint) -> list[tuple]:
    with connection.cursor() as cur:
        cur.execute(_TEAM_TARGETS, {"org": sprint.organization_id, "sprint": sprint.pk})
        return cur.fetchall()


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
    reps = []
    rows = _member_rows(sprint, today)
    # The product mix is read from the deals' quotes, only for a sprint with a focus.
    mixed = mix.mix_won_by_owner(sprint, [row[1] for row in rows])
    for row in rows:
        _pk, user_id, team_id, team_name, first, last, username, joined = row[:8]
        t_won, t_collected, t_accounts, t_mix, won, collected, forecast, accounts = row[8:]
        reps.append(
            Row(
                key=user_id,
                name=_name(first, last, username),
                team_id=team_id,
                team_name=team_name,
                figures={
                    WON: Figure(t_won, won),
                    COLLECTED: Figure(t_collected, collected),
                    NEW_ACCOUNTS: Figure(t_accounts, Decimal(accounts) if accounts else ZERO),
                    PRODUCT_MIX: Figure(t_mix, mixed.get(user_id, ZERO)),
                },
                forecast=forecast,
                joined=joined,
            )
        )
    targets = _team_targets(sprint)
    team_targets = {(team, k): amount for team, k, amount in targets if team}
    # Each team: its first rep (name), then won, collected, new accounts, the
    # product mix and the forecast summed from 0.00 in the reps' order.
    sums: dict[int, list] = {}
    for rep in reps:
        figs = rep.figures
        total = sums.get(rep.team_id)
        if total is None:
            total = sums[rep.team_id] = [rep, ZERO, ZERO, ZERO, ZERO, ZERO]
        total[1] += figs[WON].actual
        total[2] += figs[COLLECTED].actual
        total[3] += figs[NEW_ACCOUNTS].actual
        total[4] += figs[PRODUCT_MIX].actual
        total[5] += rep.forecast
    team_rows = [
        Row(
            key=first.team_id,
            name=first.team_name,
            team_id=first.team_id,
            team_name=first.team_name,
            figures={
                k: Figure(team_targets.get((first.team_id, k)), actual)
                for k, actual in (
                    (WON, won),
                    (COLLECTED, collected),
                    (NEW_ACCOUNTS, accounts),
                    (PRODUCT_MIX, mixed_total),
                )
            },
            forecast=forecast,
        )
        for first, won, collected, accounts, mixed_total, forecast in sums.values()
    ]
    _rank(reps, sprint.ranking_measure)
    _rank(team_rows, sprint.ranking_measure)
    measures = [k for k in MEASURES if any(t[1] == k for t in targets)] or [Measure.WON]
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
