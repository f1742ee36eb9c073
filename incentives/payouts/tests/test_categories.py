"""Commission rates by product category and bundle: a hand-computed run, the
split of a deal by its accepted quote, the warning for a sold category
without a rate, and the set-based run against the per-deal walk on random
sprints whose deals carry quotes (categories and a bundle)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from collab.tenancy import organization_scope
from incentives.payouts import services
from incentives.payouts.models import LineKind, PayoutLine
from incentives.payouts.selectors import projected_commission
from incentives.payouts.tests.test_setwise import (
    _computed,
    _reference,
    _Rollback,
    _tiers,
    set_basis_and_targets,
    walk,
)
from incentives.plans import services as plan_services
from incentives.plans.models import CommissionPlan
from incentives.plans.parts import Part, split
from incentives.plans.rates import effective_rate
from incentives.plans.services import RateInput, TierInput
from incentives.sprints import services as sprint_services
from incentives.tests.helpers import paid, won
from incentives.tests.quotes import accepted_quote, bundle

pytestmark = pytest.mark.django_db

D = Decimal


def _rated_version(hr, plan, org, day, rates=None):
    pack = bundle(org)
    plan_services.version_add(
        actor=hr,
        plan=plan,
        effective_from=day,
        tiers=[TierInput(D(0), D(100), D(3)), TierInput(D(100), None, D(5))],
        rates=rates
        if rates is not None
        else [RateInput(D(6), category="licence"), RateInput(D(8), bundle_id=pack.pk)],
    )
    return pack


def test_split_adds_up_to_the_amount_by_cumulative_rounding():
    parts = [Part("licence", None, D(1)), Part("service", None, D(1)), Part("", 7, D(1))]
    shares = [amount for _part, amount in split(D("100.00"), parts)]
    assert shares == [D("33.33"), D("33.34"), D("33.33")]
    assert split(D("5.00"), []) == [(None, D("5.00"))]


def test_a_category_rate_moves_with_the_tier_as_the_base_rate_does():
    assert effective_rate(D(6), D(3), D(3)) == D("6.000")
    assert effective_rate(D(8), D(5), D(3)) == D("13.333")
    assert effective_rate(None, D(5), D(3)) == D(5)
    assert effective_rate(D(6), D(0), D(3)) == D("0.000")  # a threshold tier pays nothing


def test_a_run_pays_each_deal_per_category_rate_and_tier(
    org, hr, head_fin, sprint, plan, rep, today
):
    """Target 100,000; tiers 3% / 5% above; licence 6%, the bundle 8%.
    A (80,000): licence 60,000 → 3,600.00; service 20,000 (no rate) → 600.00.
    B (50,000, quote 10,000 licence + 40,000 bundle): licence 10,000 → 600.00;
    bundle 10,000 up to target at 8% → 800.00, 30,000 above at 8×5/3 =
    13.333% → 3,999.90. C (10,000, only a sent quote: the whole at the tier
    rate) → 500.00. Total 10,099.90."""
    pack = _rated_version(hr, plan, org, dt.date(2021, 1, 1))
    sprint_services.target_set(
        actor=hr, sprint=sprint, measure="won", amount=D(100_000), user_id=rep.user_id
    )
    a = won(org, rep, "80000", days_ago=10, name="甲")
    accepted_quote(a, [("licence", "30000"), ("service", "10000")])
    b = won(org, rep, "50000", days_ago=5, name="乙")
    accepted_quote(b, [("licence", "10000")], [(pack, "40000")])
    c = won(org, rep, "10000", days_ago=1, name="丙")
    accepted_quote(c, [("licence", "10000")], state="sent")

    run = services.payout_compute(actor=hr, sprint=sprint)

    with organization_scope(org.id):
        lines = list(
            PayoutLine.objects.filter(run=run, kind=LineKind.COMMISSION)
            .order_by("credited_on", "id")
            .values_list(
                "opportunity_id", "category", "bundle_id", "basis_amount", "rate", "amount"
            )
        )
    assert lines == [
        (a.pk, "licence", None, D("60000.00"), D("6.000"), D("3600.00")),
        (a.pk, "service", None, D("20000.00"), D("3.000"), D("600.00")),
        (b.pk, "licence", None, D("10000.00"), D("6.000"), D("600.00")),
        (b.pk, "", pack.pk, D("10000.00"), D("8.000"), D("800.00")),
        (b.pk, "", pack.pk, D("30000.00"), D("13.333"), D("3999.90")),
        (c.pk, "", None, D("10000.00"), D("5.000"), D("500.00")),
    ]
    assert run.total == D("10099.90")
    assert [(w["kind"], w["opportunity_id"], w["category"]) for w in run.warnings] == [
        ("no_rate", a.pk, "service")
    ]
    # The rep's own projection walks the same figures.
    with organization_scope(org.id):
        projection = projected_commission(sprint, rep.user_id, D(100_000))
    assert projection is not None and projection.total == D("10099.90")


def test_the_latest_accepted_quote_decides_and_a_plan_without_rate_lines_warns_nothing(
    org, hr, sprint, plan, rep
):
    deal = won(org, rep, "1000", days_ago=3)
    accepted_quote(deal, [("service", "1")], decided_days_ago=9)
    accepted_quote(deal, [("licence", "1")], decided_days_ago=2)
    run = services.payout_compute(actor=hr, sprint=sprint)
    with organization_scope(org.id):
        line = PayoutLine.objects.get(run=run, kind=LineKind.COMMISSION)
    assert (line.category, line.rate, line.category_rate) == ("licence", D("3.000"), None)
    assert run.warnings == []


def test_collected_basis_splits_each_payment_by_the_deals_quote(
    org, hr, head_fin, sprint, plan, rep, today
):
    with organization_scope(org.id):
        CommissionPlan.objects.filter(pk=plan.pk).update(basis="collected")
    _rated_version(hr, plan, org, dt.date(2021, 1, 1))
    deal = won(org, rep, "2000", days_ago=6)
    accepted_quote(deal, [("licence", "1500"), ("training", "500")])
    paid(head_fin, deal, "1000.00", on=today - dt.timedelta(days=2))
    run = services.payout_compute(actor=hr, sprint=sprint)
    with organization_scope(org.id):
        rows = list(
            PayoutLine.objects.filter(run=run, kind=LineKind.COMMISSION)
            .order_by("id")
            .values_list("category", "basis_amount", "amount")
        )
    # No target: everything at the first tier, licence at 6 × 3 / 3.
    assert rows == [("licence", D("750.00"), D("45.00")), ("training", D("250.00"), D("7.50"))]
    assert [w["category"] for w in run.warnings] == ["training"]


CATEGORIES = st.sampled_from(["licence", "service", "training", "support", "bundle"])
QUOTE = st.one_of(
    st.none(),
    st.lists(
        st.tuples(CATEGORIES, st.decimals(min_value=1, max_value=90_000, places=2)),
        min_size=1,
        max_size=4,
    ),
)
DEAL = st.tuples(
    st.sampled_from([0, 1]),
    st.decimals(min_value=1, max_value=300_000, places=2),
    st.integers(min_value=0, max_value=25),
    QUOTE,
)
RATED = st.dictionaries(
    st.sampled_from(["licence", "service", "training", "bundle"]),
    st.decimals(min_value=0, max_value=15, places=3),
    max_size=3,
)


@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    deals=st.lists(DEAL, min_size=1, max_size=5),
    targets=st.tuples(
        st.one_of(st.none(), st.decimals(1000, 400_000, places=2)),
        st.one_of(st.none(), st.decimals(1000, 400_000, places=2)),
    ),
    bounds=st.lists(st.integers(min_value=20, max_value=250), min_size=0, max_size=2),
    rates=st.lists(st.decimals(min_value=0.5, max_value=12, places=3), min_size=3, max_size=3),
    rated=RATED,
    change=st.one_of(st.none(), st.integers(min_value=1, max_value=20)),
    collected=st.booleans(),
)
def test_the_set_based_run_equals_the_per_deal_walk_with_categories(
    org, hr, head_fin, sprint, plan, rep, rep2, today, deals, targets, bounds, rates, rated,
    change, collected,
):  # fmt: skip
    reps = (rep, rep2)
    try:
        with transaction.atomic():
            set_basis_and_targets(org, hr, sprint, plan, reps, targets, collected)
            pack = bundle(org)
            plan_services.version_add(
                actor=hr,
                plan=plan,
                effective_from=today - dt.timedelta(days=change or 40),
                tiers=_tiers(bounds, rates),
                rates=[
                    RateInput(rate, bundle_id=pack.pk)
                    if what == "bundle"
                    else RateInput(rate, category=what)
                    for what, rate in rated.items()
                ],
            )
            for who, amount, days_ago, quote in deals:
                deal = won(org, reps[who], str(amount), days_ago=days_ago)
                if quote:
                    lines = [(c, str(a)) for c, a in quote if c != "bundle"]
                    blocks = [(pack, str(a)) for c, a in quote if c == "bundle"][:1]
                    accepted_quote(deal, lines, blocks)
                if collected:
                    half = (amount / 2).quantize(Decimal("0.01"))
                    paid(head_fin, deal, str(half), on=today - dt.timedelta(days=days_ago // 2))
            run = services.payout_compute(actor=hr, sprint=sprint)
            with organization_scope(org.id):
                assert _computed(run) == _reference(sprint, plan)
                assert _categories(run) == _reference_categories(sprint, plan)
            raise _Rollback
    except _Rollback:
        pass


def _categories(run):
    rows = PayoutLine.objects.filter(run=run, kind=LineKind.COMMISSION)
    return sorted(
        (ln.opportunity_id, ln.category, ln.bundle_id, ln.category_rate, ln.amount) for ln in rows
    )


def _reference_categories(sprint, plan):
    walked, _versions = walk(sprint, plan)
    return sorted(
        (p.credit.opportunity_id, p.category, p.bundle_id, p.category_rate, p.amount)
        for _user_id, portions in walked
        for p in portions
    )
