"""The live progress (one set-based query over the rollups, the targets and
the new accounts) against a reference computed the slow, obvious way: the
direct aggregates over every deal, payment and account (``figures``), the
targets and memberships read through the ORM, ranked in Python. Every
figure must be identical, down to its printed form (scale, sign)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from collab.tenancy import organization_scope
from departments.models import Membership
from incentives.sprints import figures, selectors, services
from incentives.sprints.models import SprintMember, Target
from incentives.tests.helpers import open_deal, paid, won

pytestmark = pytest.mark.django_db

MEASURES = ("won", "collected", "new_accounts")
ZERO = Decimal("0.00")


def _attainment(actual, target):
    return None if not target else (actual * 100 / target).quantize(Decimal("0.1"))


def _reference(sprint, today):
    """(reps, teams) as tuples of printed figures, in rank order."""
    members = list(
        SprintMember.objects.filter(sprint=sprint)
        .order_by("id")
        .values_list(
            "id",
            "user_id",
            "team_id",
            "team__name",
            "user__first_name",
            "user__last_name",
            "user__username",
        )
    )
    joined = dict(Membership.objects.values_list("user_id", "created_at"))
    targets = list(
        Target.objects.filter(sprint=sprint).values_list(
            "member_id", "team_id", "measure", "amount"
        )
    )
    users = [m[1] for m in members]
    args = (users, sprint.start, sprint.end, sprint.currency)
    actual = {
        "won": figures.won_by_owner(*args),
        "collected": figures.collected_by_owner(*args),
        "new_accounts": figures.new_accounts_by_owner(users, sprint.start, sprint.end),
    }
    forecast = figures.forecast_by_owner(
        users, max(today, sprint.start), sprint.end, sprint.currency
    )
    rep_targets = {(m, k): a for m, _t, k, a in targets if m}
    team_targets = {(t, k): a for _m, t, k, a in targets if t}
    reps, teams = [], {}
    for pk, user_id, team_id, team_name, first, last, username in members:
        figs = {k: (rep_targets.get((pk, k)), actual[k].get(user_id, ZERO)) for k in MEASURES}
        name = f"{first} {last}".strip() or username
        reps.append(
            [user_id, name, team_id, team_name, figs, forecast.get(user_id, ZERO),
             timezone.localdate(joined[user_id])]
        )  # fmt: skip
        team = teams.setdefault(
            team_id,
            [team_id, team_name, team_id, team_name,
             {k: (team_targets.get((team_id, k)), ZERO) for k in MEASURES}, ZERO, None],
        )  # fmt: skip
        for k in MEASURES:
            target, total = team[4][k]
            team[4][k] = (target, total + figs[k][1])
        team[5] += forecast.get(user_id, ZERO)

    def ranked(rows):
        def key(row):
            target, value = row[4][sprint.ranking_measure]
            pct = _attainment(value, target)
            return (-(pct if pct is not None else Decimal(-1)), -value, row[1])

        out = []
        for rank, row in enumerate(sorted(rows, key=key), start=1):
            key_, name, team_id, team_name, figs, fc, joined_on = row
            printed = tuple(
                (
                    str(t),
                    str(a),
                    str(_attainment(a, t)),
                    str(None if t is None else max(t - a, ZERO)),
                )
                for t, a in (figs[k] for k in MEASURES)
            )
            out.append((rank, key_, name, team_id, team_name, printed, str(fc), joined_on))
        return out

    return ranked(reps), ranked(list(teams.values()))


def _printed(rows):
    return [
        (
            r.rank,
            r.key,
            r.name,
            r.team_id,
            r.team_name,
            tuple(
                (
                    str(r.figures[k].target),
                    str(r.figures[k].actual),
                    str(r.figures[k].attainment),
                    str(r.figures[k].gap),
                )
                for k in MEASURES
            ),
            str(r.forecast),
            r.joined,
        )
        for r in rows
    ]


def test_progress_equals_the_reference_computation(
    org, hr, sprint, team, rep, rep2, head_fin, today
):
    north = services.team_add(actor=hr, sprint=sprint, name="华北组")
    services.member_add(actor=hr, sprint=sprint, team=north, user_id=hr.user_id)
    for user, measure, amount in (
        (rep, "won", "200000"),
        (rep, "collected", "100000"),
        (rep2, "won", "30000"),
        (hr, "won", "3"),
        (hr, "new_accounts", "3"),
    ):
        services.target_set(
            actor=hr, sprint=sprint, measure=measure, amount=Decimal(amount), user_id=user.user_id
        )
    services.target_set(
        actor=hr, sprint=sprint, measure="won", amount=Decimal("250000"), team_id=team.pk
    )
    deal = won(org, rep, "150000.05")
    won(org, rep, "999999", days_ago=60)  # before the sprint
    won(org, rep2, "22500.03")  # 75.0001% where rep has 75.000025%: one tenth apart, ranked
    paid(head_fin, deal, "50000.01")
    paid(head_fin, deal, "0.02", on=today - dt.timedelta(days=3))
    won(org, hr, "0.01")
    open_deal(org, rep2, "333.33", today + dt.timedelta(days=5))  # × probability, to the cent
    open_deal(org, rep2, "100000", today + dt.timedelta(days=90))  # after the sprint
    with organization_scope(org.id):
        progress = selectors.sprint_progress(sprint, today)
        reps, teams = _reference(sprint, today)
    assert _printed(progress.reps) == reps
    assert _printed(progress.teams) == teams
    assert progress.measures == ["won", "collected", "new_accounts"]
    assert [r.key for r in progress.reps][:1] == [rep.user_id]


def test_a_sprint_without_members_has_no_rows_and_its_team_targets_measures(org, hr, today):
    sprint = services.sprint_create(
        actor=hr, name="空冲刺", start=today, end=today + dt.timedelta(days=10)
    )
    empty = services.team_add(actor=hr, sprint=sprint, name="空组")
    services.target_set(
        actor=hr, sprint=sprint, measure="collected", amount=Decimal("10"), team_id=empty.pk
    )
    with organization_scope(org.id):
        progress = selectors.sprint_progress(sprint, today)
    assert progress.reps == [] and progress.teams == []
    assert progress.measures == ["collected"]


def test_attainment_rounds_half_up_like_money():
    # The house's one rounding rule (collab.money.round_money) is half up;
    # Decimal's default, half even, would show 12.2% here.
    assert selectors.attainment(Decimal("12.25"), Decimal("100")) == Decimal("12.3")
    assert selectors.attainment(Decimal("12.35"), Decimal("100")) == Decimal("12.4")
    assert selectors.attainment(Decimal("5"), None) is None
