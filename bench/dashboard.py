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

import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
# bench/ holds scripts whose names can shadow the standard library (queue.py).
sys.path = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

BENCH_DB = "collab_bench_dashboard"
REQUESTS = int(os.environ.get("BENCH_REQUESTS", 1_000_000))
RUNS = int(os.environ.get("BENCH_RUNS", 20))

base = urlsplit(os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/collab"))
if base.scheme not in ("postgres", "postgresql", "pgsql"):
    sys.exit("bench/dashboard.py needs PostgreSQL (DATABASE_URL)")
bench_url = urlunsplit(base._replace(path=f"/{BENCH_DB}"))
admin_url = urlunsplit(base._replace(path="/postgres"))


def admin(sql: str) -> None:
    import psycopg2

    conn = psycopg2.connect(admin_url)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(sql)
    conn.close()


admin(f"DROP DATABASE IF EXISTS {BENCH_DB}")
admin(f"CREATE DATABASE {BENCH_DB}")
os.environ["DATABASE_URL"] = bench_url
os.environ["DJANGO_SETTINGS_MODULE"] = "collab.settings.test"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from collab.tenancy import organization_scope  # noqa: E402
from departments.models import Membership, Organization  # noqa: E402
from departments.services import organization_create  # noqa: E402
from requests_sla.services.dashboard import outcomes_rebuild  # noqa: E402


def seed() -> tuple[Organization, Membership]:
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
    with connection.cursor() as cur:
        cur.execute("SELECT setseed(0.42)")
        # Requests: two years, evenly spread; 70 % from Business, the rest
        # from the other departments; types round-robin over the catalogue.
        cur.execute(
            """
            CREATE TEMP TABLE bench_types AS
              SELECT row_number() OVER (ORDER BY id) - 1 AS k, id, serving_department_id
              FROM requests_sla_requesttype WHERE organization_id = %(org)s;
            CREATE TEMP TABLE bench_depts AS
              SELECT row_number() OVER (ORDER BY id) - 1 AS k, id
              FROM departments_department WHERE organization_id = %(org)s AND NOT is_business;
            INSERT INTO requests_sla_request (
                organization_id, number, requester_id, requesting_department_id, serving_department_id,
                request_type_id, priority, title, description, extra, status, status_reason,
                created_at, acknowledged_at, resolved_at, closed_at, updated_at, sla_due_at, sla_state)
            SELECT %(org)s, g, %(rep)s,
                CASE WHEN random() < 0.7 THEN %(business)s
                     ELSE (SELECT id FROM bench_depts d WHERE d.k = g %% (SELECT count(*) FROM bench_depts)) END,
                t.serving_department_id, t.id,
                (ARRAY['low','normal','normal','normal','high','urgent'])[1 + g %% 6],
                'Bench request ' || g, '', '{}'::jsonb,
                CASE WHEN c.created_at > now() - interval '10 days' AND g %% 2 = 0 THEN 'in_progress' ELSE 'closed' END,
                '', c.created_at, c.created_at + interval '1 hour', c.created_at + interval '1 day',
                c.created_at + interval '2 days', now(), NULL, ''
            FROM generate_series(1, %(n)s) g
            CROSS JOIN LATERAL (SELECT now() - interval '730 days' * (1 - g::float / %(n)s)
                                       - interval '1 minute' * (random() * 60) AS created_at) c
            JOIN bench_types t ON t.k = g %% (SELECT count(*) FROM bench_types);
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
        cur.execute(
            "UPDATE requests_sla_request SET sla_due_at = created_at + interval '56 hours', "
            "sla_state = CASE WHEN id %% 3 = 0 THEN 'breached' WHEN id %% 3 = 1 THEN 'at_risk' ELSE 'on_track' END "
            "WHERE organization_id = %s AND status = 'in_progress'",
            [org.id],
        )
    with organization_scope(org.id):
        outcomes_rebuild(org.id)
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE")
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


FLOOR_SQL = """
    SELECT count(*) FILTER (WHERE t.breached_at IS NULL) :: float / nullif(count(*), 0)
    FROM requests_sla_slatimer t JOIN requests_sla_request r ON r.id = t.request_id
    WHERE t.organization_id = %s AND t.kind = 'response' {extra}
      AND (t.breached_at IS NOT NULL OR (t.met AND t.stop_reason IN ('acknowledged', 'resolved')))
      AND coalesce(t.breached_at, t.stopped_at) >= date_trunc('month', now() AT TIME ZONE %s) AT TIME ZONE %s
"""


def main() -> None:
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
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

        def page(params=params):
            response = client.get("/dashboard/", params)
            assert response.status_code == 200, response.status_code

        queries = []

        def count(execute, sql, params, many, context, queries=queries):
            queries.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            page()
        p50, p95 = timed(page)
        extra = "AND r.serving_department_id = %s AND r.priority = 'normal'" if params else ""
        args = [org.id, *([rnd] if params else []), org.timezone, org.timezone]
        sql = FLOOR_SQL.format(extra=extra)
        if name == "filtered":
            sql = sql.replace("'month'", "'quarter'")

        def floor(sql=sql, args=args):
            with connection.cursor() as cur:
                cur.execute(sql, args)
                cur.fetchone()

        floor_p50, _ = timed(floor)
        print(f"[{name}] dashboard_p50_ms={p50:.1f}")
        print(f"[{name}] dashboard_p95_ms={p95:.1f}")
        print(f"[{name}] dashboard_queries={len(queries)}")
        print(f"[{name}] dashboard_sql_floor_ms={floor_p50:.1f}")


try:
    main()
finally:
    connection.close()
    if not os.environ.get("BENCH_KEEP"):
        admin(f"DROP DATABASE IF EXISTS {BENCH_DB}")
