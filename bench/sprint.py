"""A quarterly sprint at scale: 2,000 reps in 200 teams over 500,000 won
deals and 1,500,000 payments (回款) inside the quarter.

Runs against its own database, ``collab_bench_incentives`` (created,
migrated, seeded with set-based SQL — ``INSERT … SELECT generate_series`` —
and dropped here; never the dev or test database). Prints ``seed_s``,
``sprint_page_p50_ms``/``_p95_ms``/``_queries`` (the whole sprint page
through the Django test client: middleware, leaderboard of every rep,
template), the same for the polled progress fragment, and ``payout_run_s``
(computing the payout run of the whole sprint, every line written) with its
line count. Scale by environment: BENCH_REPS, BENCH_TEAMS, BENCH_DEALS,
BENCH_PAYMENTS_PER_DEAL, BENCH_BASIS (won | collected). ``BENCH_KEEP=1``
keeps the database; a later ``BENCH_REUSE=1`` run measures it again without
seeding (the seed takes minutes; its sprint then has the draft run the kept
run computed, which the payout run recomputes).

    env -u DATABASE_URL BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python bench/sprint.py
"""

import os
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

from bench.benchdb import BenchDatabase  # noqa: E402

REPS = int(os.environ.get("BENCH_REPS", 2_000))
TEAMS = int(os.environ.get("BENCH_TEAMS", 200))
DEALS = int(os.environ.get("BENCH_DEALS", 500_000))
PAYMENTS_PER_DEAL = int(os.environ.get("BENCH_PAYMENTS_PER_DEAL", 3))
BASIS = os.environ.get("BENCH_BASIS", "won")
RUNS = int(os.environ.get("BENCH_RUNS", 20))

DB = BenchDatabase("collab_bench_incentives", script="bench/sprint.py")
REUSE = DB.prepare()
os.environ["DJANGO_SETTINGS_MODULE"] = "collab.settings.test"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from collab.tenancy import organization_scope  # noqa: E402
from departments.models import Department, Membership  # noqa: E402
from departments.services import organization_create  # noqa: E402
from finance.budgets.models import quarter_end, quarter_start  # noqa: E402
from incentives.payouts.services import payout_compute  # noqa: E402
from incentives.plans import services as plans  # noqa: E402
from incentives.plans.services import TierInput  # noqa: E402
from incentives.sprints import services as sprints  # noqa: E402
from incentives.sprints.models import SprintMember, SprintTeam, Target  # noqa: E402
from incentives.sprints.rollups import rollups_rebuild  # noqa: E402

SQL = """
INSERT INTO auth_user (password, is_superuser, username, first_name, last_name, email,
                       is_staff, is_active, date_joined)
SELECT '!', false, 'benchrep' || g, 'Rep ' || g, '', '', false, true, now()
FROM generate_series(1, %(reps)s) g;

INSERT INTO departments_membership (organization_id, user_id, role, is_active, created_at, department_id)
SELECT %(org)s, u.id, 'sales_rep', true, now(), %(business)s
FROM auth_user u WHERE u.username LIKE 'benchrep%%';

INSERT INTO pipeline_account (organization_id, name, industry, size, is_key_account, owner_id,
                              created_at, updated_at)
SELECT %(org)s, 'Account ' || m.user_id || '-' || k, 'manufacturing', 'medium', false, m.user_id,
       %(start)s::date - 30, now()
FROM departments_membership m, generate_series(1, 10) k
WHERE m.organization_id = %(org)s AND m.role = 'sales_rep';

CREATE TEMP TABLE bench_reps AS
SELECT row_number() OVER (ORDER BY user_id) - 1 AS n, user_id
FROM departments_membership WHERE organization_id = %(org)s AND role = 'sales_rep';

-- Won deals spread over the quarter up to today; a tenth more open deals
-- expected to close before the quarter ends (the forecast).
INSERT INTO pipeline_opportunity (organization_id, account_id, name, owner_id, amount, currency,
    expected_close_date, stage_id, probability, next_step, lost_reason, lost_note,
    stage_entered_at, reached_level, created_at, updated_at)
SELECT %(org)s, a.id, 'Deal ' || g, r.user_id, (10000 + (g::bigint * 7919) %% 190000)::numeric(14, 2), 'CNY',
       %(start)s::date + (g %% greatest(%(days)s, 1)),
       CASE WHEN g %% 11 = 0 THEN %(open_stage)s ELSE %(won_stage)s END,
       CASE WHEN g %% 11 = 0 THEN 50 ELSE 100 END, '', '', '',
       %(start)s::timestamptz + ((g %% greatest(%(days)s, 1)) || ' days')::interval,
       60, %(start)s::timestamptz, now()
FROM generate_series(1, %(deals)s * 11 / 10) g
JOIN bench_reps r ON r.n = g %% %(reps)s
JOIN LATERAL (SELECT id FROM pipeline_account WHERE owner_id = r.user_id LIMIT 1) a ON true;

INSERT INTO finance_invoice (organization_id, number, opportunity_id, account_id, owner_id,
    amount, currency, paid, issued_on, due_on, updated_at)
SELECT o.organization_id, 'INV-' || o.id, o.id, o.account_id, o.owner_id, o.amount, 'CNY',
       o.amount, o.stage_entered_at::date, o.stage_entered_at::date + 30, now()
FROM pipeline_opportunity o WHERE o.organization_id = %(org)s AND o.stage_id = %(won_stage)s;

INSERT INTO finance_payment (organization_id, invoice_id, account_id, amount, currency,
    received_on, payer, reference, source, is_overpayment, created_at)
SELECT i.organization_id, i.id, i.account_id, round(i.amount / %(ppd)s, 2), 'CNY',
       least(i.issued_on + k * 3, %(today)s::date), '', '', 'manual', false, now()
FROM finance_invoice i, generate_series(1, %(ppd)s) k
WHERE i.organization_id = %(org)s;
"""


def seed():
    from django.contrib.auth import get_user_model

    org = organization_create(name="Bench Co", slug="bench")
    hr_user = get_user_model().objects.create_user(username="benchhr", password="bench-pass-1")
    today = timezone.localdate()
    start = quarter_start(today)
    with organization_scope(org.id):
        from pipeline.models import Stage

        business = Department.objects.get(code="business")
        hr = Membership.objects.create(
            organization=org,
            user=hr_user,
            role="dept_member",
            department=Department.objects.get(code="hr"),
        )
        won = Stage.objects.get(is_won=True).pk
        open_stage = Stage.objects.filter(is_won=False, is_lost=False).order_by("-order").first().pk
    with connection.cursor() as cur:
        cur.execute("SET synchronous_commit = off")
        cur.execute("SET session_replication_role = replica")
        cur.execute(
            SQL,
            {
                "reps": REPS,
                "org": org.id,
                "business": business.pk,
                "start": start,
                "today": today,
                "days": (today - start).days + 1,
                "deals": DEALS,
                "ppd": PAYMENTS_PER_DEAL,
                "won_stage": won,
                "open_stage": open_stage,
            },
        )
        cur.execute("SET session_replication_role = origin")
    # The load ran with triggers off: recompute the credit rollups once.
    rollups_rebuild(org.id)
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE")
    with organization_scope(org.id):
        plan = plans.plan_create(actor=hr, name="Bench plan", basis=BASIS)
        plans.version_add(
            actor=hr,
            plan=plan,
            effective_from=start.replace(year=start.year - 1),
            tiers=[
                TierInput(Decimal("0"), Decimal("100"), Decimal("3")),
                TierInput(Decimal("100"), None, Decimal("5")),
            ],
            cap=Decimal("200000"),
        )
        sprint = sprints.sprint_create(
            actor=hr, name="Bench sprint", start=start, end=quarter_end(start), plan_id=plan.pk
        )
        sprints.award_set(actor=hr, sprint=sprint, name_zh="销售之星", top_n=3)
        teams = SprintTeam.objects.bulk_create(
            SprintTeam(organization=org, sprint=sprint, name=f"Team {t}") for t in range(TEAMS)
        )
        reps = list(
            Membership.objects.filter(role="sales_rep")
            .order_by("user_id")
            .values_list("user_id", flat=True)
        )
        members = SprintMember.objects.bulk_create(
            SprintMember(organization=org, sprint=sprint, team=teams[i % TEAMS], user_id=u)
            for i, u in enumerate(reps)
        )
        per_rep = Decimal(DEALS * 100_000) / REPS
        Target.objects.bulk_create(
            [
                Target(organization=org, sprint=sprint, measure=m, member=member, amount=per_rep)
                for member in members
                for m in ("won", "collected")
            ]
            + [
                Target(organization=org, sprint=sprint, measure="won", team=t, amount=per_rep * 10)
                for t in teams
            ]
        )
    # The VACUUM ANALYZE above ran before the sprint, its teams, members and
    # targets existed: PostgreSQL would plan the page against tables it
    # believes empty (autovacuum, which would analyze them in production,
    # may be off on a bench server).
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    return org, hr, sprint


def seeded():
    """What an earlier ``BENCH_KEEP=1`` run seeded (``BENCH_REUSE=1``)."""
    from departments.models import Organization
    from incentives.sprints.models import Sprint

    org = Organization.objects.get(slug="bench")
    with organization_scope(org.id):
        hr = Membership.objects.select_related("user").get(user__username="benchhr")
        return org, hr, Sprint.objects.get(name="Bench sprint")


def report(name: str, fn) -> None:
    fn()
    timings = []
    for _ in range(RUNS):
        t0 = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            fn()
        timings.append((time.perf_counter() - t0) * 1000)
    timings.sort()
    print(f"{name}_p50_ms={statistics.median(timings):.1f}")
    print(f"{name}_p95_ms={timings[int(0.95 * (len(timings) - 1))]:.1f}")
    print(f"{name}_queries={len(queries)}")


def ok(response):
    assert response.status_code == 200, response.status_code
    return response


def main() -> None:
    try:
        call_command("migrate", verbosity=0)
        print(
            f"scale: reps={REPS} teams={TEAMS} won_deals={DEALS} "
            f"payments={DEALS * PAYMENTS_PER_DEAL} basis={BASIS}"
        )
        if REUSE:
            org, hr, sprint = seeded()
        else:
            started = time.perf_counter()
            org, hr, sprint = seed()
            print(f"seed_s={time.perf_counter() - started:.1f}")
        from django.conf import settings
        from django.core import signals
        from django.db import close_old_connections
        from django.test import Client

        settings.ALLOWED_HOSTS = ["*"]
        signals.request_started.disconnect(close_old_connections)
        signals.request_finished.disconnect(close_old_connections)
        client = Client()
        client.force_login(hr.user)
        report("sprint_page", lambda: ok(client.get(f"/incentives/sprints/{sprint.pk}/")))
        report(
            "sprint_progress",
            lambda: ok(client.get(f"/incentives/sprints/{sprint.pk}/progress/")),
        )
        with organization_scope(org.id):
            t0 = time.perf_counter()
            run = payout_compute(actor=hr, sprint=sprint)
            print(f"payout_run_s={time.perf_counter() - t0:.1f}")
            print(f"payout_lines={run.lines.count()}")
            print(f"payout_total={run.total}")
    finally:
        connection.close()
        DB.finish(REUSE)


if __name__ == "__main__":
    main()
