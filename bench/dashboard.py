"""SLA dashboard at scale: one organization, 1,000,000 requests over two years.

Runs against its own database, ``collab_bench_dashboard`` (created, migrated,
seeded with set-based SQL and dropped here; never the dev or test database).
Prints, for the default view and a filtered view, ``dashboard_p50_ms``,
``dashboard_p95_ms`` and ``dashboard_queries`` (the whole page through the
Django test client, middleware and template included), and
``dashboard_sql_floor_ms``: the bare SQL aggregate computing the same
attainment figure straight from the timers and requests.

    .venv/bin/python bench/dashboard.py          # BENCH_KEEP=1 keeps the database
"""

import functools
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# bench/ holds scripts whose names can shadow the standard library (queue.py).
sys.path = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

from bench.benchdb import BenchDatabase  # noqa: E402

BENCH_DB = "collab_bench_dashboard"
REQUESTS = int(os.environ.get("BENCH_REQUESTS", 1_000_000))
RUNS = int(os.environ.get("BENCH_RUNS", 20))

DB = BenchDatabase(BENCH_DB, script="bench/dashboard.py")
# BENCH_REUSE=1 measures a database an earlier BENCH_KEEP=1 run left behind
# (migrating it first), to iterate on plans without seeding again.
REUSE = DB.prepare()
os.environ["DJANGO_SETTINGS_MODULE"] = "collab.settings.test"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from collab.tenancy import organization_scope  # noqa: E402
from departments.models import Membership, Organization  # noqa: E402
from departments.services import organization_create  # noqa: E402
from requests_sla.reporting.filters import parse_filters  # noqa: E402
from requests_sla.reporting.services import rollups_rebuild  # noqa: E402
from requests_sla.sla.outcomes import outcomes_rebuild  # noqa: E402

SCORECARDS_URL = "/dashboard/scorecards/"


SEEDED_TABLES = ("requests_sla_request", "requests_sla_slatimer", "requests_sla_slaoutcome")


def secondary_indexes() -> list[tuple[str, str]]:
    """(name, definition) of the seeded tables' indexes that back no
    constraint: dropped before the bulk load and built once after it."""
    with connection.cursor() as cur:
        cur.execute(
            """
            SELECT i.relname, pg_get_indexdef(i.oid)
            FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
            JOIN pg_class t ON t.oid = x.indrelid
            WHERE t.relname = ANY(%s)
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.oid)
            """,
            [list(SEEDED_TABLES)],
        )
        return cur.fetchall()


def seed() -> tuple[Organization, Membership]:
    """Set-based load: ``INSERT … SELECT generate_series`` into tables
    without their secondary indexes and with foreign-key triggers off (the
    rows reference ids read from the database), then the summary through
    ``outcomes_rebuild`` (the product's reconciliation), indexes built once,
    ``VACUUM ANALYZE`` (statistics and the visibility map that index-only
    scans need)."""
    from django.contrib.auth import get_user_model

    User = get_user_model()
    org = organization_create(name="Bench Co", slug="bench")
    ops_user = User.objects.create_user(username="benchops", password="bench-pass-1")
    rep = User.objects.create(username="benchrep")
    with organization_scope(org.id):
        from departments.models import Department

        business = Department.objects.get(code="business")
        ops = Membership.objects.create(organization=org, user=ops_user, role="ops_manager")
        Membership.objects.create(organization=org, user=rep, role="sales_rep", department=business)
    indexes = secondary_indexes()
    with connection.cursor() as cur:
        cur.execute("SET synchronous_commit = off")
        cur.execute("SET maintenance_work_mem = '512MB'")
        cur.execute("SET work_mem = '256MB'")
        for name, _definition in indexes:
            cur.execute(f'DROP INDEX "{name}"')
        cur.execute("SET session_replication_role = replica")  # no per-row FK triggers
        cur.execute("SELECT setseed(0.42)")
        # Requests: two years, evenly spread; 70 % from Business, the rest
        # from the other departments; types round-robin over the catalogue.
        # The last 10 days' even numbers are still open, with the queue's
        # cached SLA state (a third breached, a third at risk).
        cur.execute(
            """
            INSERT INTO requests_sla_request (
                organization_id, number, requester_id, requesting_department_id, serving_department_id,
                request_type_id, priority, title, description, extra, status, status_reason,
                created_at, acknowledged_at, resolved_at, closed_at, updated_at, sla_due_at, sla_state)
            SELECT %(org)s, g, %(rep)s,
                CASE WHEN random() < 0.7 THEN %(business)s
                     ELSE d.ids[1 + g %% cardinality(d.ids)] END,
                t.servings[1 + g %% cardinality(t.ids)], t.ids[1 + g %% cardinality(t.ids)],
                (ARRAY['low','normal','normal','normal','high','urgent'])[1 + g %% 6],
                'Bench request ' || g, '', '{}'::jsonb,
                CASE WHEN o.open THEN 'in_progress' ELSE 'closed' END,
                '', c.created_at, c.created_at + interval '1 hour', c.created_at + interval '1 day',
                c.created_at + interval '2 days', now(),
                CASE WHEN o.open THEN c.created_at + interval '56 hours' END,
                CASE WHEN NOT o.open THEN ''
                     WHEN g %% 3 = 0 THEN 'breached' WHEN g %% 3 = 1 THEN 'at_risk'
                     ELSE 'on_track' END
            FROM (SELECT array_agg(id ORDER BY id) AS ids,
                         array_agg(serving_department_id ORDER BY id) AS servings
                  FROM requests_sla_requesttype WHERE organization_id = %(org)s) t,
                 (SELECT array_agg(id ORDER BY id) AS ids FROM departments_department
                  WHERE organization_id = %(org)s AND NOT is_business) d,
                 generate_series(1, %(n)s) g
            CROSS JOIN LATERAL (SELECT now() - interval '730 days' * (1 - g::float / %(n)s)
                                       - interval '1 minute' * (random() * 60) AS created_at) c
            CROSS JOIN LATERAL (SELECT c.created_at > now() - interval '10 days'
                                       AND g %% 2 = 0 AS open) o
            """,
            {"org": org.id, "rep": rep.id, "business": business.id, "n": REQUESTS},
        )
        # Timers: response (4 h budget) and resolution (40 h), business
        # minutes elapsed drawn so that ~85 % / ~80 % are met.
        cur.execute(
            """
            INSERT INTO requests_sla_slatimer (
                organization_id, request_id, kind, key, name_zh, name_en, unit, amount, policy_version,
                calendar_id, calendar_version, started_at, superseded_at, stop_reason, due_at, state,
                at_risk_at, next_check_at, breached_at, met, stopped_at, paused, elapsed_minutes,
                budget_minutes, remaining_minutes, provisional, computed_at)
            SELECT r.organization_id, r.id, k.kind, k.kind, '', '', 'working_hours', k.budget / 60, 1,
                NULL, 0, r.created_at, NULL,
                CASE WHEN open THEN '' WHEN k.kind = 'response' THEN 'acknowledged' ELSE 'resolved' END,
                r.created_at + k.budget * interval '1.4 minute',
                CASE WHEN open AND e > k.budget THEN 'breached' WHEN open THEN 'on_track'
                     WHEN e > k.budget THEN 'breached' ELSE 'met' END,
                NULL, NULL,
                CASE WHEN e > k.budget THEN r.created_at + k.budget * interval '1.4 minute' END,
                CASE WHEN open THEN NULL ELSE e <= k.budget END,
                CASE WHEN open THEN NULL ELSE r.created_at + e * interval '1.4 minute' END,
                false, e, k.budget, k.budget - e, false, now()
            FROM requests_sla_request r
            CROSS JOIN (VALUES ('response', 240), ('resolution', 2400)) k(kind, budget)
            CROSS JOIN LATERAL (SELECT (k.budget * (0.2 + random() * 1.05))::int AS e,
                                       r.status = 'in_progress' AND k.kind = 'resolution' AS open) x
            WHERE r.organization_id = %s
            """,
            [org.id],
        )
        cur.execute("ANALYZE requests_sla_request, requests_sla_slatimer")
    with organization_scope(org.id):
        outcomes_rebuild(org.id)
    with connection.cursor() as cur:
        cur.execute("SET session_replication_role = DEFAULT")
    # The rollup triggers were off with the FK triggers: rebuild them once.
    rollups_rebuild(org.id)
    with connection.cursor() as cur:
        for _name, definition in indexes:
            cur.execute(definition)
        tables = (
            *SEEDED_TABLES,
            "requests_sla_slaoutcomeday",
            "requests_sla_requestday",
            "requests_sla_slastoppedmonth",
        )
        cur.execute(f"VACUUM ANALYZE {', '.join(tables)}")
    return org, ops


def timed(fn, runs=RUNS):
    fn()  # warm
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return statistics.median(samples), samples[max(0, int(len(samples) * 0.95) - 1)]


# The floor: the cheapest SQL computing the response attainment the page
# shows, from the data the page reads (the SlaOutcome summary, same window
# and filters), with nothing else around it.
FLOOR_SQL = """
    SELECT count(*) FILTER (WHERE met)::float / nullif(count(*), 0)
    FROM requests_sla_slaoutcome
    WHERE organization_id = %s AND kind = 'response' AND decided_at >= %s AND decided_at < %s {extra}
"""
# For comparison only: the same figure straight from the raw timers and
# requests, which is what the page would cost without the summary.
RAW_SQL = """
    SELECT count(*) FILTER (WHERE t.breached_at IS NULL)::float / nullif(count(*), 0)
    FROM requests_sla_slatimer t JOIN requests_sla_request r ON r.id = t.request_id
    WHERE t.organization_id = %s AND t.kind = 'response' {extra}
      AND (t.breached_at IS NOT NULL OR (t.met AND t.stop_reason IN ('acknowledged', 'resolved')))
      AND coalesce(t.breached_at, t.stopped_at) >= %s AND coalesce(t.breached_at, t.stopped_at) < %s
"""


def explain(name: str, queries: list[dict]) -> None:
    """EXPLAIN (ANALYZE, BUFFERS) every statement one page view ran, into
    var/bench-dashboard-explain-<view>.txt; one summary line each here."""
    out = ROOT / "var" / f"bench-dashboard-explain-{name}.txt"
    out.parent.mkdir(exist_ok=True)
    with out.open("w") as fh, connection.cursor() as cur:
        for i, query in enumerate(queries):
            sql = query["sql"]
            if not sql.lstrip().upper().startswith("SELECT"):
                continue
            cur.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
            plan = [row[0] for row in cur.fetchall()]
            fh.write(f"-- [{i}] {sql}\n" + "\n".join(plan) + "\n\n")
            total = next((line for line in plan if line.startswith("Execution Time")), "")
            print(f"  [{name}] q{i:02d} {total:32} {sql[:110]}")


def main() -> None:
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    if REUSE:
        org = Organization.objects.get(slug="bench")
        with organization_scope(org.id):
            ops = Membership.objects.get(user__username="benchops")
    else:
        org, ops = seed()
        print(f"seeded {REQUESTS} requests in {time.perf_counter() - started:.0f}s")
    settings.ALLOWED_HOSTS = ["*"]
    # Keep one connection, as a web worker with CONN_MAX_AGE does.
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    client = Client()
    client.force_login(ops.user)
    with organization_scope(org.id):
        from departments.models import Department

        rnd = Department.objects.get(code="rnd").pk
    views = {"default": {}, "filtered": {"serving": rnd, "priority": "normal", "period": "quarter"}}
    for name, params in views.items():

        def page(params=params, url="/dashboard/"):
            response = client.get(url, params)
            assert response.status_code == 200, response.status_code

        with CaptureQueriesContext(connection) as captured:
            page()
        n_queries = len(captured)
        if os.environ.get("BENCH_EXPLAIN"):
            explain(name, captured.captured_queries)
        p50, p95 = timed(page)
        with timezone.override(org.timezone), organization_scope(org.id):
            filters = parse_filters(params, ops)
        lo, hi = filters.bounds()
        extra = "AND serving_department_id = %s AND priority = 'normal'" if params else ""
        args = [org.id, lo, hi, *([rnd] if params else [])]
        raw_args = [org.id, *([rnd] if params else []), lo, hi]
        raw_extra = extra.replace("serving_", "r.serving_").replace("priority", "r.priority")

        def run(sql, args):
            with connection.cursor() as cur:
                cur.execute(sql, args)
                cur.fetchone()

        floor_p50, _ = timed(functools.partial(run, FLOOR_SQL.format(extra=extra), args))
        print(f"[{name}] dashboard_p50_ms={p50:.1f}")
        print(f"[{name}] dashboard_p95_ms={p95:.1f}")
        print(f"[{name}] dashboard_queries={n_queries}")
        print(f"[{name}] dashboard_sql_floor_ms={floor_p50:.1f}")
        if client.get(SCORECARDS_URL, params).status_code == 200:
            with CaptureQueriesContext(connection) as lazy:
                page(url=SCORECARDS_URL)
            n_lazy = len(lazy)
            if os.environ.get("BENCH_EXPLAIN"):
                explain(f"{name}-scorecards", lazy.captured_queries)
            _, sc_p95 = timed(lambda params=params: page(params, SCORECARDS_URL), runs=RUNS // 2)
            print(f"[{name}] dashboard_scorecards_p95_ms={sc_p95:.1f}")
            print(f"[{name}] dashboard_scorecards_queries={n_lazy}")
        if os.environ.get("BENCH_RAW", "1") == "1":
            raw_p50, _ = timed(
                functools.partial(run, RAW_SQL.format(extra=raw_extra), raw_args), runs=3
            )
            print(f"[{name}] raw_timers_sql_ms={raw_p50:.1f}  (same figure without the summary)")


try:
    main()
finally:
    connection.close()
    DB.finish(REUSE)
