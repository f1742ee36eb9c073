"""The set-based run (one SQL statement for the whole sprint) against the
per-deal walk it replaced (``calc.commission_portions`` over each rep's
credits), on random small sprints: random deals, payments, targets (none,
zero, some), tiers, a plan change mid-sprint and a cap. Every line — deal,
basis, rate, tier, version, amount — and every cap must be equal."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from collab.tenancy import organization_scope
from incentives.payouts import services
from incentives.payouts.calc import cap_reduction, commission_portions
from incentives.payouts.models import LineKind, PayoutLine
from incentives.payouts.selectors import credits_of
from incentives.plans import services as plan_services
from incentives.plans.models import CommissionPlan
from incentives.plans.selectors import plan_versions
from incentives.plans.services import TierInput
from incentives.sprints import services as sprint_services
from incentives.sprints.models import Target
from incentives.tests.helpers import paid, won

pytestmark = pytest.mark.django_db

AMOUNTS = st.decimals(min_value=1, max_value=300_000, places=2)
DEAL = st.tuples(st.sampled_from([0, 1]), AMOUNTS, st.integers(min_value=0, max_value=25))
TARGET = st.one_of(st.none(), st.just(Decimal("0")), st.decimals(1000, 400_000, places=2))
RATE = st.decimals(min_value=0, max_value=12, places=3)


class _Rollback(Exception):
    pass


def _tiers(bounds: list[int], rates: list[Decimal]) -> list[TierInput]:
    edges = sorted(set(bounds))
    lows = [Decimal(0), *[Decimal(e) for e in edges]]
    highs = [*[Decimal(e) for e in edges], None]
    return [TierInput(lo, hi, rate) for lo, hi, rate in zip(lows, highs, rates, strict=False)]


def walk(sprint, plan):
    """The per-deal walk: (rep, their portions) for each rep, and the versions."""
    versions = plan_versions(plan.pk)
    targets = dict(
        Target.objects.filter(sprint=sprint, measure=plan.basis, member__isnull=False).values_list(
            "member__user_id", "amount"
        )
    )
    user_ids = list(sprint.members.values_list("user_id", flat=True))
    walked = []
    for user_id, credits in credits_of(sprint, plan.basis, user_ids).items():
        portions, _unpaid = commission_portions(credits, versions, targets.get(user_id))
        walked.append((user_id, portions))
    return walked, versions


def _reference(sprint, plan):
    """The per-deal walk: each rep's credits across the tiers, then the cap."""
    walked, versions = walk(sprint, plan)
    out = []
    for user_id, portions in walked:
        out += [
            (
                user_id,
                p.credit.opportunity_id,
                p.basis,
                p.rate,
                p.tier_label,
                p.version.pk,
                p.amount,
            )
            for p in portions
        ]
        cut = cap_reduction(portions, versions, sprint.end)
        if cut:
            out.append((user_id, None, Decimal("0.00"), None, "", None, -cut))
    return sorted(out, key=repr)


def set_basis_and_targets(org, hr, sprint, plan, reps, targets, collected) -> None:
    """The plan on collected or won revenue; each rep's target on it (or none)."""
    with organization_scope(org.id):
        CommissionPlan.objects.filter(pk=plan.pk).update(basis="collected" if collected else "won")
        plan.refresh_from_db()
    for member, target in zip(reps, targets, strict=True):
        if target is not None:
            sprint_services.target_set(
                actor=hr, sprint=sprint, measure=plan.basis, amount=target, user_id=member.user_id
            )


def _computed(run):
    rows = PayoutLine.objects.filter(run=run, kind__in=[LineKind.COMMISSION, LineKind.CAP])
    return sorted(
        (
            (ln.user_id, ln.opportunity_id, ln.basis_amount, ln.rate, ln.tier_label)
            + (ln.version_id, ln.amount)
            for ln in rows
        ),
        key=repr,
    )


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    deals=st.lists(DEAL, min_size=1, max_size=6),
    targets=st.tuples(TARGET, TARGET),
    bounds=st.lists(st.integers(min_value=20, max_value=250), min_size=0, max_size=2),
    rates=st.lists(RATE, min_size=3, max_size=3),
    change=st.one_of(st.none(), st.integers(min_value=1, max_value=20)),
    cap=st.one_of(st.none(), st.decimals(min_value=1, max_value=20_000, places=2)),
    collected=st.booleans(),
)
def test_the_set_based_run_equals_the_per_deal_walk(
    org,
    hr,
    head_fin,
    sprint,
    plan,
    rep,
    rep2,
    today,
    deals,
    targets,
    bounds,
    rates,
    change,
    cap,
    collected,
):
    reps = (rep, rep2)
    try:
        with transaction.atomic():
            set_basis_and_targets(org, hr, sprint, plan, reps, targets, collected)
            plan_services.version_add(
                actor=hr,
                plan=plan,
                effective_from=today - dt.timedelta(days=change or 40),
                tiers=_tiers(bounds, rates),
                cap=cap,
            )
            for who, amount, days_ago in deals:
                deal = won(org, reps[who], str(amount), days_ago=days_ago)
                if collected:
                    half = (amount / 2).quantize(Decimal("0.01"))
                    paid(head_fin, deal, str(half), on=today - dt.timedelta(days=days_ago // 2))
            run = services.payout_compute(actor=hr, sprint=sprint)
            with organization_scope(org.id):
                assert _computed(run) == _reference(sprint, plan)
            raise _Rollback
    except _Rollback:
        pass
