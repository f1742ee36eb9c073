"""Requirement review at scale: one organization with 20,000 requirements,
200,000 backing links (accounts and deals) and 2,000 releases.

Runs against its own database, ``collab_bench_roadmap`` (created, migrated,
seeded with set-based ``INSERT … SELECT generate_series`` and dropped here;
never the dev or test database). Prints ``seed_s``, then ``*_p50_ms``,
``*_p95_ms`` and ``*_queries`` (BEGIN and COMMIT included) of the whole
pages through the test client: the roadmap page as a rep
(``roadmap_page``: releases, "my customers' requirements", the loop metrics)
and the review board's agenda as the ops manager (``board_agenda``: 150
requirements ready for review, scored, one decision form each). The query
counts are the same at any scale (locked in roadmap/tests/test_pages.py).

    .venv/bin/python bench/roadmap.py               # BENCH_KEEP=1 keeps the database
    BENCH_REQUIREMENTS=2000 .venv/bin/python bench/roadmap.py   # a smaller organization
"""

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

from bench.benchdb import BenchDatabase  # noqa: E402

BENCH_DB = "collab_bench_roadmap"
REQUIREMENTS = int(os.environ.get("BENCH_REQUIREMENTS", 20_000))
BACKERS_PER_REQUIREMENT = 10  # 200,000 links
RELEASES = 2_000
SHIPPED_RELEASES = 1_500
READY = 150  # on the board's agenda
ACCOUNTS = 5_000
DEALS = 50_000
REPS = 50
RUNS = 30

DB = BenchDatabase(BENCH_DB, script="bench/roadmap.py")
REUSE = DB.prepare()
os.environ["DJANGO_SETTINGS_MODULE"] = "collab.settings.test"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from collab import tenancy  # noqa: E402
from collab.tenancy import organization_scope  # noqa: E402
from departments.models import Department, Membership, Organization  # noqa: E402
from departments.services import organization_create  # noqa: E402
from pipeline.models import Stage  # noqa: E402

# The states by i % 20 (the first READY requirements are ready for review).
STATE_SQL = """CASE
  WHEN i < %(ready)s THEN 'ready_for_review'
  WHEN i %% 20 < 8 THEN 'shipped'
  WHEN i %% 20 < 10 THEN 'declined'
  WHEN i %% 20 < 12 THEN 'accepted'
  WHEN i %% 20 = 12 THEN 'in_development'
  WHEN i %% 20 = 13 THEN 'deferred'
  WHEN i %% 20 = 14 THEN 'validating'
  WHEN i %% 20 = 15 THEN 'prototype'
  WHEN i %% 20 < 18 THEN 'submitted'
  WHEN i %% 20 = 18 THEN 'under_assessment'
  ELSE 'merged' END"""


def sql(statement: str, params=None) -> None:
    with (
        transaction.atomic(),
        tenancy.dangerously_unscoped("bench seeding"),
        connection.cursor() as cur,
    ):
        cur.execute(statement, params)


def first_id(table: str, org_id: int) -> int:
    with tenancy.dangerously_unscoped("bench seeding"), connection.cursor() as cur:
        cur.execute(f"SELECT min(id) FROM {table} WHERE organization_id = %s", [org_id])
        return cur.fetchone()[0]


def seed_people(org: Organization):
    from django.contrib.auth import get_user_model

    User = get_user_model()
    users = User.objects.bulk_create(User(username=f"benchrep{i}") for i in range(REPS))
    ops = User.objects.create(username="benchops")
    Membership.unscoped.bulk_create(
        [Membership(organization=org, user=u, role="sales_rep") for u in users]
        + [Membership(organization=org, user=ops, role="ops_manager")]
    )
    with organization_scope(org.id):
        heads = [
            Membership(
                organization=org,
                user=User.objects.create(username=f"benchhead-{code}"),
                role="dept_head",
                department=Department.objects.get(code=code),
            )
            for code in ("business", "rnd", "product")
        ]
    Membership.unscoped.bulk_create(heads)
    return users, ops


def seed_pipeline(org: Organization, users) -> None:
    with organization_scope(org.id):
        stages = {s.code: s for s in Stage.objects.all()}
    first_user = users[0].id
    sql(
        """INSERT INTO pipeline_account (organization_id, name, industry, size, is_key_account,
               owner_id, created_at, updated_at)
           SELECT %s, 'Account ' || i, 'retail', 'medium', false, %s + i %% %s, now(), now()
           FROM generate_series(0, %s - 1) AS i""",
        [org.id, first_user, REPS, ACCOUNTS],
    )
    first_account = first_id("pipeline_account", org.id)
    # Deal j belongs to account j % ACCOUNTS (and its owner); one in ten is won, one in ten lost.
    sql(
        """INSERT INTO pipeline_opportunity (organization_id, account_id, name, owner_id, amount,
               currency, expected_close_date, stage_id, probability, next_step, lost_reason,
               lost_note, stage_entered_at, reached_level, reached_at, created_at, updated_at)
           SELECT %s, %s + j %% %s, 'Deal ' || j, %s + (j %% %s) %% %s,
                  10000 + (j * 7919) %% 2000000, 'CNY', current_date + 60,
                  CASE WHEN j %% 10 = 0 THEN %s WHEN j %% 10 = 1 THEN %s ELSE %s END,
                  CASE WHEN j %% 10 = 0 THEN 100 WHEN j %% 10 = 1 THEN 0 ELSE 60 END,
                  '', CASE WHEN j %% 10 = 1 THEN 'price' ELSE '' END, '',
                  now() - interval '3 days', 40, now(), now() - interval '200 days', now()
           FROM generate_series(0, %s - 1) AS j""",
        [
            org.id,
            first_account,
            ACCOUNTS,
            first_user,
            ACCOUNTS,
            REPS,
            stages["won"].id,
            stages["lost"].id,
            stages["proposal"].id,
            DEALS,
        ],
    )


def seed_roadmap(org: Organization, users) -> None:
    sql(
        """INSERT INTO roadmap_release (organization_id, version, planned_on, shipped_at, created_at)
           SELECT %s, 'v' || (i / 100) || '.' || (i %% 100), current_date - 2000 + i,
                  CASE WHEN i < %s THEN now() - (2000 - i) * interval '1 day' END, now()
           FROM generate_series(0, %s - 1) AS i""",
        [org.id, SHIPPED_RELEASES, RELEASES],
    )
    first_release = first_id("roadmap_release", org.id)
    sql(
        f"""INSERT INTO roadmap_requirement (organization_id, title, background, pain_point,
               expected_outcome, search_text, state, submitted_by_id, submitted_at, impact,
               feasibility, feasibility_reason, cost_low_days, cost_high_days, resources, risks,
               needs_prototype, priority, decided_at, decline_reason, revisit_on, release_id,
               shipped_at, decision_minutes, ship_minutes)
           SELECT %(org)s, 'Requirement ' || i || ' report permissions', 'background ' || i,
                  'pain ' || i, 'outcome ' || i, 'requirement ' || i || ' report permissions',
                  s.state, %(user)s + i %% %(reps)s, now() - (i %% 700) * interval '1 day',
                  1 + i %% 3, 'feasible', '', 1 + i %% 10, 11 + i %% 20, '', '', false, NULL,
                  CASE WHEN s.state IN ('shipped', 'declined', 'accepted', 'in_development', 'deferred')
                       THEN now() - (i %% 300) * interval '1 day' END,
                  CASE WHEN s.state = 'declined' THEN 'out of scope' ELSE '' END,
                  CASE WHEN s.state = 'deferred' THEN current_date + 30 END,
                  CASE WHEN s.state = 'shipped' THEN %(rel)s + i %% %(shipped)s
                       WHEN s.state IN ('accepted', 'in_development')
                       THEN %(rel)s + %(shipped)s + i %% (%(releases)s - %(shipped)s) END,
                  CASE WHEN s.state = 'shipped' THEN now() - (i %% 200) * interval '1 day' END,
                  CASE WHEN s.state IN ('shipped', 'declined', 'accepted', 'in_development', 'deferred')
                       THEN (i * 37) %% 5000 END,
                  CASE WHEN s.state = 'shipped' THEN (i * 53) %% 20000 END
           FROM generate_series(0, %(n)s - 1) AS i,
                LATERAL (SELECT {STATE_SQL} AS state) AS s""",
        {
            "org": org.id,
            "user": users[0].id,
            "reps": REPS,
            "rel": first_release,
            "shipped": SHIPPED_RELEASES,
            "releases": RELEASES,
            "n": REQUIREMENTS,
            "ready": READY,
        },
    )
    first_requirement = first_id("roadmap_requirement", org.id)
    first_deal = first_id("pipeline_opportunity", org.id)
    first_account = first_id("pipeline_account", org.id)
    # Backer n: requirement n / 10 and its k-th deal (ten distinct deals a requirement).
    sql(
        """INSERT INTO roadmap_backer (organization_id, requirement_id, account_id, opportunity_id,
               needed_for_renewal, added_by_id, added_at)
           SELECT %s, %s + n / %s, %s + d %% %s, %s + d, n %% %s = 0, %s, now()
           FROM generate_series(0, %s - 1) AS n,
                LATERAL (SELECT ((n / %s) * 13 + (n %% %s) * 4999) %% %s AS d) AS x""",
        [
            org.id,
            first_requirement,
            BACKERS_PER_REQUIREMENT,
            first_account,
            ACCOUNTS,
            first_deal,
            BACKERS_PER_REQUIREMENT,
            users[0].id,
            REQUIREMENTS * BACKERS_PER_REQUIREMENT,
            BACKERS_PER_REQUIREMENT,
            BACKERS_PER_REQUIREMENT,
            DEALS,
        ],
    )


def seed() -> Organization:
    org = organization_create(name="Bench Co", slug="bench")
    users, _ops = seed_people(org)
    seed_pipeline(org, users)
    seed_roadmap(org, users)
    from django.utils import timezone

    from roadmap.models import ReviewBoard

    with organization_scope(org.id):
        ReviewBoard.objects.create(
            organization=org, slot=timezone.localdate(), starts_at=timezone.now()
        )
    return org


def report(name: str, fn) -> None:
    fn()  # warm the caches once, as a live server would be
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
        started = time.perf_counter()
        org = Organization.objects.get(slug="bench") if REUSE else seed()
        if not REUSE:
            print(f"seed_s={time.perf_counter() - started:.1f}")
        with connection.cursor() as cur:
            cur.execute("VACUUM ANALYZE")
        from django.conf import settings
        from django.contrib.auth import get_user_model
        from django.core import signals
        from django.db import close_old_connections
        from django.test import Client

        from roadmap.models import Backer, Release, Requirement, ReviewBoard

        with organization_scope(org.id):
            print(f"requirements={Requirement.objects.count()}")
            print(f"backers={Backer.objects.count()}")
            print(f"releases={Release.objects.count()}")
            board = ReviewBoard.objects.get()
        settings.ALLOWED_HOSTS = ["*"]
        signals.request_started.disconnect(close_old_connections)
        signals.request_finished.disconnect(close_old_connections)
        User = get_user_model()
        cases = (
            ("roadmap_page", "benchrep0", "/roadmap/releases/"),
            ("board_agenda", "benchops", f"/roadmap/boards/{board.pk}/"),
        )
        for name, username, url in cases:
            client = Client()
            client.force_login(User.objects.get(username=username))
            report(name, lambda c=client, u=url: ok(c.get(u)))
    finally:
        connection.close()
        DB.finish(REUSE)


if __name__ == "__main__":
    main()
