"""Incentives' demo data, in both organizations: a commission plan on
collected revenue with an accelerator above target, last quarter's sprint
with a frozen (approved) payout run, and this quarter's sprint on the demo
deals with targets (won, collected and the sprint bundle's product mix), the
销售之星 award and Finance's budget reservation; the plan's rates by
category and bundle on deals won with accepted quotes (demo/mix.py);
a hiring plan with positions in several stages (incentives/hiring/demo.py)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from collab.tenancy import organization_scope
from departments.models import Department, Membership, Organization
from finance.budgets.models import quarter_end, quarter_start
from finance.budgets.services import budget_for, budget_set, reservation_make
from incentives.demo import mix
from incentives.hiring import demo as hiring_demo
from incentives.payouts import approval
from incentives.payouts import services as payouts
from incentives.payouts.models import PayoutRun, RunState
from incentives.plans import services as plans
from incentives.plans.services import TierInput
from incentives.sprints import services as sprints
from incentives.sprints.models import Sprint
from incentives.sprints.selectors import sprint_progress

PEOPLE = {
    "demo": {"reps": ["rep", "rep2"], "hr": "head-hr", "fin": "head-fin"},
    "other": {"reps": ["other-rep", "other-rep2"], "hr": "other-hr", "fin": "other-fin"},
}
TEXT = {
    "demo": {
        "plan": "回款提成方案",
        "team": "华东组",
        "theme": "冲刺全年目标，回款优先",
        "reserve": "季度冲刺奖金",
    },
    "other": {
        "plan": "Collected-revenue plan",
        "team": "East team",
        "theme": "Close the year strong, cash first",
        "reserve": "Sprint prizes",
    },
}
TIERS = [
    TierInput(Decimal("0"), Decimal("100"), Decimal("3")),
    TierInput(Decimal("100"), None, Decimal("5")),  # the accelerator above target
]


def _member(username: str) -> Membership | None:
    return Membership.objects.select_related("department").filter(user__username=username).first()


def load(*, organization: Organization, key: str) -> None:
    with organization_scope(organization.id):
        hiring_demo.load(organization=organization, key=key)
        if Sprint.objects.exists():
            return  # idempotent
        hr, fin = _member(PEOPLE[key]["hr"]), _member(PEOPLE[key]["fin"])
        reps = [m for m in (_member(u) for u in PEOPLE[key]["reps"]) if m is not None]
        if hr is None or fin is None or not reps:
            return
        text = TEXT[key]
        plan = plans.plan_create(actor=hr, name=text["plan"], basis="collected")
        today = timezone.localdate()
        plans.version_add(
            actor=hr,
            plan=plan,
            effective_from=today - dt.timedelta(days=400),
            tiers=TIERS,
            rates=mix.rate_lines(),
        )
        this_q = quarter_start(today)
        past_q = quarter_start(this_q - dt.timedelta(days=1))
        past = _sprint(hr, reps, plan.pk, past_q, key, text)
        run = payouts.payout_compute(actor=hr, sprint=past, today=quarter_end(past_q))
        payouts.payout_submit(actor=hr, run=run)
        _approve_through_chain(run)
        mix.won_with_quotes(reps, fin, timezone.now())
        bundle = mix.sprint_bundle()
        current = _sprint(hr, reps, plan.pk, this_q, key, text, bundle.pk if bundle else None)
        sprints.award_set(
            actor=hr,
            sprint=current,
            name_zh="销售之星",
            name_en="Sales star",
            measure="won",
            min_attainment=Decimal("80"),
            prize_amount=Decimal("5000"),
            prize_item="奖杯" if key == "demo" else "Trophy",
        )
        _reserve(fin, hr, current, text["reserve"], today)


def _approve_through_chain(run: PayoutRun) -> None:
    """Each step's approver approves in turn (HR's head, then Finance's)."""
    for _step in range(5):
        run = PayoutRun.objects.get(pk=run.pk)
        step = approval.pending_step(run)
        if run.state != RunState.SUBMITTED or step is None:
            return
        approver = Membership.objects.select_related("department").get(user_id=step.approver_id)
        payouts.payout_approve(actor=approver, run=run)


def _sprint(
    hr,
    reps,
    plan_id,
    start: dt.date,
    key: str,
    text: dict[str, str],
    mix_bundle_id: int | None = 0,
) -> Sprint:
    """A quarter's sprint; ``mix_bundle_id``: a product mix on that bundle,
    on licences without one (None), none at all (0)."""
    label = f"{start.year} Q{(start.month - 1) // 3 + 1}"
    sprint = sprints.sprint_create(
        actor=hr,
        name=f"{label} 季度冲刺" if key == "demo" else f"{label} sprint",
        theme=text["theme"],
        start=start,
        end=quarter_end(start),
        plan_id=plan_id,
        mix_category="licence" if mix_bundle_id is None else "",
        mix_bundle_id=mix_bundle_id or None,
    )
    team = sprints.team_add(actor=hr, sprint=sprint, name=text["team"])
    for m in reps:
        sprints.member_add(actor=hr, sprint=sprint, team=team, user_id=m.user_id)
    # Targets a little above what the demo deals reach, so the leaderboard
    # shows reps on both sides of 100%.
    progress = sprint_progress(sprint, timezone.localdate())
    goals = [
        ("won", Decimal("200000"), Decimal("10000")),
        ("collected", Decimal("100000"), Decimal("10000")),
    ]
    if sprint.has_mix:
        goals.append(("product_mix", Decimal("50000"), Decimal("10000")))
    for measure, floor, step in goals:
        total = sum((r.figure(measure).actual for r in progress.reps), Decimal(0))
        goal = max(floor, (total * Decimal("1.1") / step).quantize(Decimal(1)) * step)
        sprints.target_split(actor=hr, sprint=sprint, team=team, measure=measure, total=goal)
    return sprint


def _reserve(fin, hr, sprint: Sprint, label: str, today: dt.date) -> None:
    business = Department.objects.filter(code="business").first()
    if business is None:
        return
    budget = budget_for(business.pk, today, "CNY") or budget_set(
        actor=fin, department=business, period_start=today, amount=Decimal("300000")
    )
    if budget.available < Decimal("30000"):
        return
    line = reservation_make(
        actor=fin,
        budget_id=budget.pk,
        amount=Decimal("30000"),
        label=f"{sprint.name} · {label}",
        expires_on=sprint.end + dt.timedelta(days=30),
    )
    sprints.sprint_link_reservation(actor=hr, sprint=sprint, line_id=line.pk)
