"""Funnel report at scale: 200,000 opportunities and 2,000,000 stage changes.

Runs against its own database, ``collab_bench_funnel`` (created, migrated,
seeded and dropped here; never the dev or test database). Seeding fills the
funnel rollups with the rebuild's own ``INSERT … SELECT`` statements
(``services.funnel_rollup_sql``, what ``manage.py funnel_rollup_rebuild``
runs). Prints ``funnel_rollup_seconds`` (that rebuild), then ``*_p50_ms``,
``*_p95_ms`` and ``*_queries`` (BEGIN and COMMIT included) of the report as a
manager sees it by default (``funnel``), as a rep sees it (``funnel_rep``: their
own deals), filtered by one industry (``funnel_filtered``), and of the whole
page through the test client (``funnel_page``, ``funnel_rep_page``).

    .venv/bin/python bench/funnel.py                 # BENCH_KEEP=1 keeps the database
    BENCH_REUSE=1 .venv/bin/python bench/funnel.py   # measures the kept one again
    BENCH_OPPORTUNITIES=20000 ...                    # a smaller organization
"""

import io
import os
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Run as a script, bench/ is sys.path[0], and bench/queue.py would shadow the
# standard library's queue module: import from the project root only.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

from bench.benchdb import BenchDatabase  # noqa: E402

BENCH_DB = "collab_bench_funnel"
OPPORTUNITIES = int(os.environ.get("BENCH_OPPORTUNITIES", 200_000))
CHANGES_PER_OPPORTUNITY = 10  # 2,000,000 stage changes
ACCOUNTS = 5_000
REPS = 50
RUNS = 30

DB = BenchDatabase(BENCH_DB, script="bench/funnel.py")
# BENCH_REUSE=1 measures a database an earlier BENCH_KEEP=1 run left behind
# (migrating it and rebuilding the rollups first), without seeding again.
REUSE = DB.prepare()
os.environ["DJANGO_SETTINGS_MODULE"] = "collab.settings.test"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from collab import tenancy  # noqa: E402
from collab.tenancy import organization_scope  # noqa: E402
from departments.models import Membership, Organization  # noqa: E402
from departments.services import organization_create  # noqa: E402
from pipeline.funnel.filters import default_filters  # noqa: E402
from pipeline.funnel.selectors import funnel_report  # noqa: E402
from pipeline.models import Stage  # noqa: E402
from pipeline.rollups.services import (  # noqa: E402
    ROLLUP_TABLES,
    funnel_rollup_sql,
    funnel_zone_name,
)


def copy(table: str, columns: list[str], rows) -> None:
    buf = io.StringIO()
    for row in rows:
        buf.write("\t".join("\\N" if v is None else str(v) for v in row))
        buf.write("\n")
    buf.seek(0)
    # COPY bypasses the execute wrappers (collab/rls.py): a first statement in
    # the same transaction switches to the service role (COPY FROM refuses a
    # table whose row-level security applies to the role).
    with (
        transaction.atomic(),
        tenancy.dangerously_unscoped("bench seeding (COPY)"),
        connection.cursor() as cur,
    ):
        cur.execute("SELECT 1")
        cur.cursor.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", buf)


def seed() -> Organization:
    from django.contrib.auth import get_user_model

    User = get_user_model()
    rng = random.Random(6)
    org = organization_create(name="Bench Co", slug="bench")
    users = User.objects.bulk_create(User(username=f"benchrep{i}") for i in range(REPS))
    Membership.unscoped.bulk_create(
        Membership(organization=org, user=u, role="sales_rep") for u in users
    )
    with organization_scope(org.id):
        stages = list(Stage.objects.order_by("order"))
    walk = [s for s in stages if not s.is_closed]  # lead … negotiation
    won = next(s for s in stages if s.is_won)
    lost = next(s for s in stages if s.is_lost)
    now = datetime.now(UTC)
    industries = ["manufacturing", "retail", "finance", "healthcare", "technology", "energy"]

    copy(
        "pipeline_account",
        [
            "organization_id",
            "name",
            "industry",
            "size",
            "is_key_account",
            "owner_id",
            "created_at",
            "updated_at",
        ],
        (
            (
                org.id,
                f"Account {i}",
                industries[i % 6],
                "medium",
                i % 10 == 0,
                users[i % REPS].id,
                now,
                now,
            )
            for i in range(ACCOUNTS)
        ),
    )
    with connection.cursor() as cur:
        cur.execute("SELECT min(id) FROM pipeline_account WHERE organization_id = %s", [org.id])
        first_account = cur.fetchone()[0]
        cur.execute("SELECT coalesce(max(id), 0) FROM pipeline_opportunity")
        first_opp = cur.fetchone()[0] + 1

    opp_rows, change_rows = [], []
    for n in range(OPPORTUNITIES):
        opp_id = first_opp + n
        # Three years of deals, each living a few weeks to a few months.
        created = now - timedelta(days=rng.uniform(1, 3 * 365))
        life = timedelta(days=min(10 + rng.expovariate(1 / 60), 365))
        span = (min(created + life, now) - created).total_seconds()
        # The moves: a walk between lead and negotiation (forward, a skip, or
        # back), and a last move that wins, loses or keeps walking.
        path, index = [walk[0]], 0
        for _ in range(CHANGES_PER_OPPORTUNITY - 2):
            r = rng.random()
            if index == 0 or (r < 0.55 and index < len(walk) - 1):
                index += 1
            elif r < 0.65 and index < len(walk) - 2:
                index += 2
            else:
                index -= 1 if index > 0 else -1
            path.append(walk[index])
        r = rng.random()
        path.append(won if r < 0.3 else lost if r < 0.7 else walk[index - 1 if index else 1])
        times = sorted(created + timedelta(seconds=rng.uniform(0, span)) for _ in path[1:])
        times = [created, *times]
        level, level_at = 0, None
        amount = rng.randrange(10_000, 2_000_000)
        for k, (stage, when) in enumerate(zip(path, times, strict=True)):
            to_level = level if stage.is_lost else max(level, stage.order)
            left = times[k + 1] if k + 1 < len(path) else None
            change_rows.append(
                (
                    org.id,
                    opp_id,
                    path[k - 1].id if k else None,
                    stage.id,
                    when,
                    left,
                    amount,
                    "CNY",
                    level,
                    to_level,
                    level_at,
                )
            )
            if to_level > level:
                level, level_at = to_level, when
        last = path[-1]
        opp_rows.append(
            (
                opp_id,
                org.id,
                first_account + n % ACCOUNTS,
                f"Deal {n}",
                users[n % REPS].id,
                amount,
                "CNY",
                (times[-1] + timedelta(days=rng.uniform(0, 120))).date(),
                last.id,
                last.default_probability,
                "",
                "price" if last.is_lost else "",
                "",
                times[-1],
                level,
                level_at,
                created,
                now,
            )
        )
    copy(
        "pipeline_opportunity",
        [
            "id",
            "organization_id",
            "account_id",
            "name",
            "owner_id",
            "amount",
            "currency",
            "expected_close_date",
            "stage_id",
            "probability",
            "next_step",
            "lost_reason",
            "lost_note",
            "stage_entered_at",
            "reached_level",
            "reached_at",
            "created_at",
            "updated_at",
        ],
        opp_rows,
    )
    # Production appends moves in time order; so does the bench, or every
    # range scan would touch the whole table.
    change_rows.sort(key=lambda row: row[4])
    copy(
        "pipeline_stagechange",
        [
            "organization_id",
            "opportunity_id",
            "from_stage_id",
            "to_stage_id",
            "changed_at",
            "left_at",
            "amount",
            "currency",
            "from_level",
            "to_level",
            "prev_level_at",
        ],
        change_rows,
    )
    with connection.cursor() as cur:
        cur.execute(
            "SELECT setval(pg_get_serial_sequence('pipeline_opportunity', 'id'), %s)",
            [first_opp + OPPORTUNITIES],
        )
    return org


def rollup(org: Organization) -> float:
    """Fill the funnel rollups from the stage changes, as the rebuild does."""
    started = time.perf_counter()
    with connection.cursor() as cur:
        for table in ROLLUP_TABLES:
            cur.execute(f"DELETE FROM {table} WHERE organization_id = %s", [org.id])  # noqa: S608
        for sql, params in funnel_rollup_sql(org.id, funnel_zone_name(org.timezone)):
            cur.execute(sql, params)
    return time.perf_counter() - started


def pending_migrations() -> bool:
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    return bool(executor.migration_plan(executor.loader.graph.leaf_nodes()))


def report(name: str, fn) -> None:
    """Print the p50 and p95 of ``RUNS`` calls of fn and its query count
    (BEGIN and COMMIT included)."""
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


def head_user(org: Organization):
    """The head of sales (sees the whole funnel), made once."""
    from django.contrib.auth import get_user_model

    from departments.models import Department

    user, _ = get_user_model().objects.get_or_create(username="benchhead")
    with organization_scope(org.id):
        business = Department.objects.get(code="business")
    Membership.unscoped.get_or_create(
        organization=org, user=user, defaults={"role": "dept_head", "department": business}
    )
    return user


def rep_user(org: Organization):
    with organization_scope(org.id):
        return Membership.objects.filter(role="sales_rep").order_by("pk").first().user


def main() -> None:
    try:
        migrated = pending_migrations()
        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        if REUSE:
            org = Organization.objects.get(slug="bench")
        else:
            org = seed()
            print(f"seed_s={time.perf_counter() - started:.1f}")
        # A reused database keeps its rollups unless a migration changed them.
        if not REUSE or migrated:
            print(f"funnel_rollup_seconds={rollup(org):.1f}")
        # VACUUM too, as autovacuum would have by now: it sets the visibility
        # map that lets the range scans skip the heap.
        with connection.cursor() as cur:
            cur.execute("VACUUM ANALYZE")
        with organization_scope(org.id), timezone.override(org.timezone):
            rep = Membership.objects.filter(role="sales_rep").order_by("pk").first().user_id
            report_cases = [
                ("funnel", default_filters()),  # a manager's default view
                ("funnel_rep", default_filters(owner_id=rep)),  # a rep sees only their deals
                ("funnel_filtered", default_filters(industry="retail")),
            ]
            for name, filters in report_cases:
                report(name, lambda f=filters: funnel_report(f))
        # The whole page (view, template) through the test client, as the
        # sales head and as a rep.
        from django.conf import settings
        from django.core import signals
        from django.db import close_old_connections
        from django.test import Client

        settings.ALLOWED_HOSTS = ["*"]
        # Keep one connection, as a web worker with CONN_MAX_AGE does.
        signals.request_started.disconnect(close_old_connections)
        signals.request_finished.disconnect(close_old_connections)
        for name, user in (("funnel_page", head_user(org)), ("funnel_rep_page", rep_user(org))):
            client = Client()
            client.force_login(user)
            report(name, lambda c=client: ok(c.get("/pipeline/funnel/")))
    finally:
        connection.close()
        DB.finish(REUSE)


if __name__ == "__main__":
    main()
