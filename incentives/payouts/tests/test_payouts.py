"""Commission runs on hand-computed cases. The plan (conftest): 3% up to
100% of target, 5% above; targets here are 100,000 on the plan's basis."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from collab.errors import ServiceError
from collab.tenancy import dangerously_unscoped, organization_scope
from incentives.conftest import TWO_TIERS
from incentives.payouts import selectors, services, setwise
from incentives.payouts.models import LineKind, PayoutLine, RunState
from incentives.plans import services as plan_services
from incentives.plans.services import TierInput
from incentives.sprints import services as sprint_services
from incentives.tests.helpers import paid, won
from pipeline.opportunities import services as opps
from pipeline.opportunities.models import Stage

pytestmark = pytest.mark.django_db


@pytest.fixture
def targets(hr, sprint, rep, rep2):
    for m in (rep, rep2):
        for measure in ("won", "collected"):
            sprint_services.target_set(
                actor=hr,
                sprint=sprint,
                measure=measure,
                amount=Decimal("100000"),
                user_id=m.user_id,
            )


def _lines(org, run, user_id=None):
    with organization_scope(org.id):
        qs = PayoutLine.objects.filter(run=run).order_by("id")
        if user_id:
            qs = qs.filter(user_id=user_id)
        return [(ln.kind, ln.basis_amount, ln.rate, ln.amount) for ln in qs]


def test_a_deal_crossing_the_tier_boundary_is_split_at_it(org, hr, sprint, rep, targets):
    won(org, rep, "80000", days_ago=5)
    won(org, rep, "50000", days_ago=2)
    run = services.payout_compute(actor=hr, sprint=sprint)
    assert _lines(org, run) == [
        ("commission", Decimal("80000.00"), Decimal("3.000"), Decimal("2400.00")),
        ("commission", Decimal("20000.00"), Decimal("3.000"), Decimal("600.00")),
        ("commission", Decimal("30000.00"), Decimal("5.000"), Decimal("1500.00")),
    ]
    assert run.total == Decimal("4500.00")


def test_the_cap_takes_back_what_is_above_it(org, hr, sprint, plan, rep, targets, today):
    plan_services.version_add(
        actor=hr,
        plan=plan,
        effective_from=today - dt.timedelta(days=60),
        tiers=TWO_TIERS,
        cap=Decimal("3000"),
    )
    won(org, rep, "80000", days_ago=5)
    won(org, rep, "50000", days_ago=2)
    run = services.payout_compute(actor=hr, sprint=sprint)
    assert _lines(org, run)[-1] == ("cap", Decimal("0.00"), None, Decimal("-1500.00"))
    assert run.total == Decimal("3000.00")


def test_a_plan_change_mid_sprint_pays_each_deal_on_the_version_of_its_win_day(
    org, hr, sprint, plan, rep, targets, today
):
    plan_services.version_add(
        actor=hr,
        plan=plan,
        effective_from=today - dt.timedelta(days=3),
        tiers=[
            TierInput(Decimal("0"), Decimal("100"), Decimal("4")),
            TierInput(Decimal("100"), None, Decimal("6")),
        ],
    )
    won(org, rep, "80000", days_ago=5)  # old version: 3%
    won(org, rep, "50000", days_ago=2)  # new version: 4% / 6%
    run = services.payout_compute(actor=hr, sprint=sprint)
    assert [line[3] for line in _lines(org, run)] == [
        Decimal("2400.00"),
        Decimal("800.00"),
        Decimal("1800.00"),
    ]
    assert run.total == Decimal("5000.00")


def test_collected_basis_pays_on_the_finance_payments_received(
    org, hr, sprint, plan, rep, head_fin, targets, today
):
    plan.basis = "collected"
    with organization_scope(org.id):
        plan.save(update_fields=["basis"])
    deal = won(org, rep, "200000", days_ago=10)
    paid(head_fin, deal, "60000", on=today - dt.timedelta(days=5))
    paid(head_fin, deal, "70000", on=today - dt.timedelta(days=1))
    run = services.payout_compute(actor=hr, sprint=sprint)
    assert [line[1:] for line in _lines(org, run)] == [
        (Decimal("60000.00"), Decimal("3.000"), Decimal("1800.00")),
        (Decimal("40000.00"), Decimal("3.000"), Decimal("1200.00")),
        (Decimal("30000.00"), Decimal("5.000"), Decimal("1500.00")),
    ]
    assert run.total == Decimal("4500.00")


def test_a_deal_won_before_any_plan_version_is_listed_not_paid(
    org, hr, sprint, rep, targets, today
):
    from incentives.plans.models import PlanVersion

    with organization_scope(org.id):
        PlanVersion.objects.update(effective_from=today - dt.timedelta(days=3))
    deal = won(org, rep, "80000", days_ago=5)
    run = services.payout_compute(actor=hr, sprint=sprint)
    assert run.total == Decimal("0.00")
    assert [w["opportunity_id"] for w in run.warnings] == [deal.pk]


def test_overlapping_tiers_are_refused_and_nothing_written(org, hr, plan, today):
    from incentives.plans.models import PlanVersion

    with pytest.raises(ServiceError) as exc:
        plan_services.version_add(
            actor=hr,
            plan=plan,
            effective_from=today,
            tiers=[
                TierInput(Decimal("0"), Decimal("120"), Decimal("3")),
                TierInput(Decimal("100"), None, Decimal("5")),
            ],
        )
    assert exc.value.field == "tiers"
    with organization_scope(org.id):
        assert PlanVersion.objects.count() == 1


def _approved(hr, head_fin, sprint):
    run = services.payout_compute(actor=hr, sprint=sprint)
    services.payout_submit(actor=hr, run=run)
    return services.payout_approve(actor=head_fin, run=run)


def test_an_approved_run_is_frozen(org, hr, head_fin, sprint, rep, targets):
    won(org, rep, "50000")
    run = _approved(hr, head_fin, sprint)
    assert run.state == RunState.APPROVED
    with pytest.raises(ServiceError):
        services.payout_submit(actor=hr, run=run)
    with pytest.raises(ServiceError):
        services.payout_approve(actor=head_fin, run=run)


def test_only_finance_approves_and_only_after_submission(org, hr, head_fin, sprint, rep, targets):
    won(org, rep, "50000")
    run = services.payout_compute(actor=hr, sprint=sprint)
    with pytest.raises(ServiceError):
        services.payout_approve(actor=head_fin, run=run)
    services.payout_submit(actor=hr, run=run)
    with pytest.raises(ServiceError):
        services.payout_approve(actor=hr, run=run)
    with pytest.raises(ServiceError):  # submitted: no recompute
        services.payout_compute(actor=hr, sprint=sprint)


def test_a_deal_lost_after_the_freeze_is_clawed_back_in_the_next_run(
    org, hr, head_fin, sprint, rep, targets
):
    won(org, rep, "80000", days_ago=5)
    second = won(org, rep, "50000", days_ago=2)
    first_run = _approved(hr, head_fin, sprint)
    with organization_scope(org.id):
        opps.opportunity_move(
            opportunity=second,
            stage=Stage.objects.get(is_lost=True),
            actor=rep.user,
            lost_reason="price",
        )
    next_run = services.payout_compute(actor=hr, sprint=sprint)
    assert next_run.number == 2
    assert _lines(org, next_run) == [
        ("adjustment", Decimal("0.00"), None, Decimal("-2100.00")),
    ]
    assert _lines(org, first_run)[-1][3] == Decimal("1500.00")  # never rewritten
    with organization_scope(org.id):
        assert selectors.paid_out(sprint) == Decimal("4500.00")


def test_a_deal_won_after_the_freeze_comes_in_full_in_the_next_run(
    org, hr, head_fin, sprint, rep, targets
):
    won(org, rep, "80000", days_ago=5)
    _approved(hr, head_fin, sprint)
    won(org, rep, "50000", days_ago=0)
    run = services.payout_compute(actor=hr, sprint=sprint)
    assert [line[0] for line in _lines(org, run)] == ["commission", "commission"]
    assert run.total == Decimal("2100.00")


def test_the_sales_star_prize_is_a_line_of_the_run(org, hr, sprint, rep, rep2, targets):
    sprint_services.award_set(
        actor=hr, sprint=sprint, name_zh="销售之星", prize_amount=Decimal("5000"), prize_item="奖杯"
    )
    won(org, rep, "120000")
    won(org, rep2, "90000")
    run = services.payout_compute(actor=hr, sprint=sprint)
    with organization_scope(org.id):
        award = PayoutLine.objects.get(run=run, kind=LineKind.AWARD)
    assert (award.user_id, award.amount) == (rep.user_id, Decimal("5000.00"))


def test_a_rep_reads_only_their_own_lines(org, hr, sprint, rep, rep2, targets):
    won(org, rep, "10000")
    won(org, rep2, "20000")
    run = services.payout_compute(actor=hr, sprint=sprint)
    with organization_scope(org.id):
        mine = selectors.run_by_rep(rep, run)
        everyone = selectors.run_by_rep(hr, run)
    assert [r.user_id for r in mine] == [rep.user_id]
    assert {r.user_id for r in everyone} == {rep.user_id, rep2.user_id}


def test_computed_at_is_now(org, hr, sprint):
    run = services.payout_compute(actor=hr, sprint=sprint)
    assert abs((run.computed_at - timezone.now()).total_seconds()) < 60


def test_totals_by_user_reads_only_the_runs_organization_even_unscoped(
    org, other_org, hr, sprint, rep
):
    """Defence in depth: a line of another organization filed under the
    run's id (which row-level security would hide) is not counted even by
    a caller outside any scope."""
    won(org, rep, "10000")
    run = services.payout_compute(actor=hr, sprint=sprint)
    with dangerously_unscoped("test: a forged line"):
        PayoutLine.objects.create(
            organization_id=other_org.pk,
            run_id=run.pk,
            user_id=rep.user_id,
            kind="commission",
            amount=Decimal("999999.00"),
        )
        assert setwise.totals_by_user(run) == {rep.user_id: Decimal("300.00")}
