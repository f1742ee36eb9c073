import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from collab.errors import ServiceError
from collab.tenancy import organization_scope
from departments.models import Membership
from incentives.sprints import selectors, services
from incentives.sprints.models import Target, TargetChange, TieBreak
from incentives.tests.helpers import paid, won

pytestmark = pytest.mark.django_db


def test_a_target_on_a_rep_outside_the_sprint_is_refused_and_nothing_written(
    org, hr, sprint, head_fin
):
    with pytest.raises(ServiceError) as exc:
        services.target_set(
            actor=hr, sprint=sprint, measure="won", amount=Decimal("100"), user_id=head_fin.user_id
        )
    assert exc.value.field == "user"
    with organization_scope(org.id):
        assert not Target.objects.exists()


def test_a_rep_cannot_manage_a_sprint(rep, sprint):
    with pytest.raises(ServiceError):
        services.target_set(
            actor=rep, sprint=sprint, measure="won", amount=Decimal("1"), user_id=rep.user_id
        )


def test_team_total_split_evenly_adds_up_to_the_fen(org, hr, sprint, team, rep, rep2):
    services.member_add(actor=hr, sprint=sprint, team=team, user_id=hr.user_id)
    services.target_split(
        actor=hr, sprint=sprint, team=team, measure="won", total=Decimal("100000.00")
    )
    with organization_scope(org.id):
        shares = list(
            Target.objects.filter(member__isnull=False)
            .order_by("id")
            .values_list("amount", flat=True)
        )
        team_target = Target.objects.get(team=team).amount
    assert shares == [Decimal("33333.33"), Decimal("33333.33"), Decimal("33333.34")]
    assert sum(shares) == team_target == Decimal("100000.00")


def test_team_total_split_by_weight(org, hr, sprint, team, rep, rep2):
    services.member_add(
        actor=hr, sprint=sprint, team=team, user_id=rep.user_id, weight=Decimal("3")
    )
    services.target_split(
        actor=hr, sprint=sprint, team=team, measure="won", total=Decimal("400000"), by_weight=True
    )
    with organization_scope(org.id):
        amounts = dict(
            Target.objects.filter(member__isnull=False).values_list("member__user_id", "amount")
        )
    assert amounts == {rep.user_id: Decimal("300000.00"), rep2.user_id: Decimal("100000.00")}


def test_an_adjustment_needs_a_reason_and_is_kept_in_the_history(org, hr, sprint, rep):
    services.target_set(
        actor=hr, sprint=sprint, measure="won", amount=Decimal("100000"), user_id=rep.user_id
    )
    with pytest.raises(ServiceError) as exc:
        services.target_set(
            actor=hr, sprint=sprint, measure="won", amount=Decimal("80000"), user_id=rep.user_id
        )
    assert exc.value.field == "reason"
    services.target_set(
        actor=hr,
        sprint=sprint,
        measure="won",
        amount=Decimal("80000"),
        user_id=rep.user_id,
        reason="大客户延期到下季度",
    )
    with organization_scope(org.id):
        changes = list(
            TargetChange.objects.order_by("id").values_list("old_amount", "new_amount", "reason")
        )
    assert changes[1] == (Decimal("100000.00"), Decimal("80000.00"), "大客户延期到下季度")
    assert len(changes) == 2


def test_progress_counts_won_collected_and_new_accounts_in_the_period(
    org, hr, sprint, rep, rep2, head_fin, today
):
    services.target_set(
        actor=hr, sprint=sprint, measure="won", amount=Decimal("200000"), user_id=rep.user_id
    )
    services.target_set(
        actor=hr, sprint=sprint, measure="collected", amount=Decimal("100000"), user_id=rep.user_id
    )
    deal = won(org, rep, "150000")
    won(org, rep, "999999", days_ago=60)  # before the sprint: not counted
    paid(head_fin, deal, "50000")
    won(org, rep2, "10000")
    with organization_scope(org.id):
        progress = selectors.sprint_progress(sprint, today)
    first = progress.reps[0]
    assert first.key == rep.user_id and first.rank == 1
    assert first.figure("won").actual == Decimal("150000.00")
    assert first.figure("won").attainment == Decimal("75.0")
    assert first.figure("won").gap == Decimal("50000.00")
    assert first.figure("collected").actual == Decimal("50000.00")
    assert first.figure("collected").attainment == Decimal("50.0")
    assert first.figure("new_accounts").actual == Decimal(
        "2"
    )  # the pre-sprint deal's account is new too
    assert progress.teams[0].figure("won").actual == Decimal("160000.00")


def test_forecast_weights_open_deals_closing_inside_the_period(org, sprint, rep, today):
    from pipeline.accounts import services as accounts
    from pipeline.opportunities import services as opps

    with organization_scope(org.id):
        account = accounts.account_create(
            actor=rep.user, name="远景客户", industry="manufacturing", size="large", owner=rep.user
        )
        for days, amount in ((10, "100000"), (90, "500000")):
            opps.opportunity_create(
                actor=rep.user,
                account=account,
                name=f"商机{days}",
                owner=rep.user,
                amount=Decimal(amount),
                expected_close_date=today + dt.timedelta(days=days),
            )
        progress = selectors.sprint_progress(sprint, today)
        deal = account.opportunities.get(name="商机10")
    row = next(r for r in progress.reps if r.key == rep.user_id)
    assert row.forecast == Decimal("100000") * deal.probability / 100


def test_working_days_left_skip_weekends_and_holidays(org, hr):
    with time_machine.travel(dt.datetime(2026, 9, 28, 10, tzinfo=dt.UTC)):
        sprint = services.sprint_create(
            actor=hr, name="国庆冲刺", start=dt.date(2026, 9, 28), end=dt.date(2026, 10, 9)
        )
        with organization_scope(org.id):
            left = selectors.working_days_left(sprint, dt.date(2026, 9, 28))
    # 28–30 Sep work; 1–7 Oct National Day (a holiday); 8, 9 Oct work;
    # Sun 27 Sep and Sat 10 Oct are make-up days outside the range.
    assert left == 5


def _standing(org, sprint, rep, rep2, hr, tie_break, today):
    for m in (rep, rep2):
        services.target_set(
            actor=hr, sprint=sprint, measure="won", amount=Decimal("100000"), user_id=m.user_id
        )
    won(org, rep, "120000")
    won(org, rep2, "120000")
    award = services.award_set(
        actor=hr, sprint=sprint, name_zh="销售之星", name_en="Sales star", tie_break=tie_break
    )
    with organization_scope(org.id):
        return selectors.award_standings(award, selectors.sprint_progress(sprint, today))


def test_award_tie_shared_gives_the_star_to_both(org, sprint, rep, rep2, hr, today):
    standing = _standing(org, sprint, rep, rep2, hr, TieBreak.SHARED, today)
    assert {r.key for r in standing.winners} == {rep.user_id, rep2.user_id}


def test_award_tie_by_amount_falls_back_to_the_name_and_gives_one_star(
    org, sprint, rep, rep2, hr, today
):
    standing = _standing(org, sprint, rep, rep2, hr, TieBreak.AMOUNT, today)
    assert len(standing.winners) == 1
    assert len(standing.ranked) == 2


def test_award_tenure_rule_leaves_out_a_rep_who_joined_too_late(org, sprint, rep, rep2, hr, today):
    # rep joined a year ago; rep2 joined 40 days before the sprint's end
    # (sprint.end is today + 30): a 90-day rule leaves rep2 out, 30 days lets both in.
    with organization_scope(org.id):
        Membership.objects.filter(pk=rep.pk).update(
            created_at=timezone.now() - dt.timedelta(days=365)
        )
        Membership.objects.filter(pk=rep2.pk).update(
            created_at=timezone.now() - dt.timedelta(days=10)
        )
    for m in (rep, rep2):
        services.target_set(
            actor=hr, sprint=sprint, measure="won", amount=Decimal("100000"), user_id=m.user_id
        )
    won(org, rep, "110000")
    won(org, rep2, "150000")  # the better figure, but too new for the 90-day rule
    strict = services.award_set(actor=hr, sprint=sprint, name_zh="老将之星", min_tenure_days=90)
    lenient = services.award_set(actor=hr, sprint=sprint, name_zh="销售之星", min_tenure_days=30)
    with organization_scope(org.id):
        progress = selectors.sprint_progress(sprint, today)
        strict_standing = selectors.award_standings(strict, progress)
        lenient_standing = selectors.award_standings(lenient, progress)
    assert [r.key for r in strict_standing.winners] == [rep.user_id]
    assert [r.key for r, _pct in strict_standing.ranked] == [rep.user_id]
    assert [r.key for r in lenient_standing.winners] == [rep2.user_id]


@pytest.mark.parametrize("days", [-1, 3651, None])
def test_award_tenure_out_of_range_is_a_field_error(sprint, hr, days):
    with pytest.raises(ServiceError) as caught:
        services.award_set(actor=hr, sprint=sprint, name_zh="销售之星", min_tenure_days=days)
    assert caught.value.field == "min_tenure_days"


def test_award_minimum_attainment_excludes_reps_below_it(org, sprint, rep, rep2, hr, today):
    services.target_set(
        actor=hr, sprint=sprint, measure="won", amount=Decimal("100000"), user_id=rep.user_id
    )
    won(org, rep, "90000")
    award = services.award_set(
        actor=hr, sprint=sprint, name_zh="销售之星", min_attainment=Decimal("100")
    )
    with organization_scope(org.id):
        standing = selectors.award_standings(award, selectors.sprint_progress(sprint, today))
    assert standing.winners == []
