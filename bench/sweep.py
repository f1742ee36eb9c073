"""Escalation sweep at scale: 1,000,000 open requests in 100 organizations.

Runs against its own database, ``collab_bench_sweep`` (created, migrated,
seeded with INSERT … SELECT generate_series, and dropped; never the dev or
test database). Prints, figures only (nothing asserted):

* ``sweep_seconds_100k`` / ``sweep_noop_ms_100k``: 100,000 open requests,
  10,000 of them with a timer that just crossed its due time;
* ``sweep_seconds`` / ``sweep_noop_ms``: the same at 1,000,000 (``BENCH_SWEEP_MORE``:
  how many to add to the first 100,000; 900,000 by default);
* ``sweep_sql_floor_ms``: the bare SQL selecting the same 10,000 due rows,
  exactly as the sweep pages through them (its statements, its page size).
* ``seed_seconds``: building the 1,000,000 rows (INSERT … SELECT generate_series).

Seeded due timers carry the cache the lifecycle services write
(``computed_at`` when they turned at risk), as real ones do.

A full sweep includes the steps, the agenda of one meeting per organization,
in-app notifications and their email outbox rows (sending is a separate task
and is not enqueued here).

    .venv/bin/python bench/sweep.py            # BENCH_KEEP=1 keeps the database
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

BENCH_DB = "collab_bench_sweep"
ORGS = 100
DUE = 10_000

DB = BenchDatabase(BENCH_DB, script="bench/sweep.py")
DB.prepare(reusable=False)
os.environ["DJANGO_SETTINGS_MODULE"] = "collab.settings.test"

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from collab.tenancy import organization_scope  # noqa: E402
from departments.models import Department, Membership, Organization  # noqa: E402
from departments.roles import Role  # noqa: E402
from departments.services import organization_provision  # noqa: E402
from requests_sla.escalation import services as escalation  # noqa: E402
from requests_sla.models import BusinessCalendar, RequestType  # noqa: E402
from requests_sla.notifications import services as notifications  # noqa: E402


def main() -> None:
    call_command("migrate", verbosity=0)
    notifications._enqueue_flush = lambda organization_id: None  # sending is not measured
    User = get_user_model()
    setup = []  # (org, requester, requesting dept, serving dept, type, calendar)
    for i in range(ORGS):
        org = Organization.objects.create(name=f"Bench {i}", slug=f"bench-{i}")
        organization_provision(organization=org)
        with organization_scope(org.id):
            rtype = RequestType.objects.get(code="rnd_tech_support")
            business = Department.objects.get(code="business")
            rep = User.objects.create(username=f"rep{i}", email=f"rep{i}@example.com")
            for role, code, name in (
                (Role.DEPT_HEAD, "rnd", "head"),
                (Role.OPS_MANAGER, "ops_mgmt", "ops"),
            ):
                user = User.objects.create(username=f"{name}{i}", email=f"{name}{i}@example.com")
                Membership.objects.create(
                    user=user, role=role, department=Department.objects.get(code=code)
                )
            Membership.objects.create(user=rep, role=Role.SALES_REP, department=business)
            calendar = BusinessCalendar.objects.filter(department__isnull=True).first()
            setup.append(
                (org.id, rep.id, business.id, rtype.serving_department_id, rtype.id, calendar.id)
            )
    with connection.cursor() as cur:
        cur.execute(
            "CREATE TEMP TABLE bench_org (n int, org bigint, rep bigint, business bigint, serving bigint, "
            "rtype bigint, cal bigint)"
        )
        cur.executemany(
            "INSERT INTO bench_org VALUES (%s, %s, %s, %s, %s, %s, %s)",
            [(n, *row) for n, row in enumerate(setup)],
        )

    seeded = 0

    def seed(total: int, due: int) -> None:
        """``total`` more open requests (one resolution timer each, due in the
        future), of which ``due`` get a response timer that breached a
        minute ago (24 calendar hours, started 24 h 1 min ago)."""
        nonlocal seeded
        per_org = total // ORGS
        first = seeded // ORGS
        with connection.cursor() as cur:
            cur.execute(
                f"""
                INSERT INTO requests_sla_request (organization_id, number, requester_id,
                    requesting_department_id, serving_department_id, request_type_id, priority,
                    title, description, extra, status, status_reason, created_at, updated_at,
                    sla_state)
                SELECT o.org, {first} + g, o.rep, o.business, o.serving, o.rtype, 'normal',
                    'bench ' || g, '', '{{}}', 'new', '', now() - interval '1 day 1 minute', now(),
                    'on_track'
                FROM bench_org o CROSS JOIN generate_series(1, %s) g
                """,
                [per_org],
            )
            cur.execute(
                f"""
                INSERT INTO requests_sla_slatimer (organization_id, request_id, kind, key, name_zh,
                    name_en, unit, amount, policy_version, calendar_id, calendar_version, started_at,
                    stop_reason, state, at_risk_at, due_at, next_check_at, paused, elapsed_minutes,
                    budget_minutes, remaining_minutes, provisional)
                SELECT r.organization_id, r.id, 'resolution', 'resolution', '', '', 'working_days', 5,
                    1, o.cal, 1, r.created_at, '', 'on_track', now() + interval '2 days',
                    now() + interval '4 days', now() + (random() * interval '4 days') + interval '1 hour',
                    false, 0, 2700, 2700, false
                FROM requests_sla_request r JOIN bench_org o ON o.org = r.organization_id
                WHERE r.number > {first}
                """
            )
            cur.execute(
                f"""
                WITH due AS (
                    SELECT r.id, r.organization_id, r.created_at, o.cal FROM requests_sla_request r
                    JOIN bench_org o ON o.org = r.organization_id
                    WHERE r.number > {first} AND r.number <= {first} + %s
                ), t AS (
                    INSERT INTO requests_sla_slatimer (organization_id, request_id, kind, key, name_zh,
                        name_en, unit, amount, policy_version, calendar_id, calendar_version,
                        started_at, stop_reason, state, at_risk_at, due_at, next_check_at, paused,
                        elapsed_minutes, budget_minutes, remaining_minutes, provisional, computed_at)
                    SELECT organization_id, id, 'response', 'response', '', '', 'calendar_hours', 24,
                        1, cal, 1, created_at, '', 'at_risk', created_at + interval '18 hours',
                        created_at + interval '24 hours', created_at + interval '24 hours 1 second',
                        false, 1080, 1440, 360, false, created_at + interval '18 hours'
                    FROM due RETURNING id, organization_id, started_at
                )
                INSERT INTO requests_sla_slaevent (organization_id, timer_id, kind, at, reason,
                    calendar_version, policy_version)
                SELECT organization_id, id, 'start', started_at, '', 1, 1 FROM t
                """,
                [due // ORGS],
            )
            # Statistics of the seeded tables only: an ANALYZE of the still
            # empty outbox/step tables would record "0 rows" and the foreign
            # key checks of the first sweep's inserts would plan sequential
            # scans of tables that grow to 20,000 rows (measured: +12 s).
            cur.execute(
                "ANALYZE requests_sla_request, requests_sla_slatimer, requests_sla_slaevent"
            )
        seeded += total

    def full_sweep() -> float:
        report = escalation.sla_sweep()
        assert report.examined >= DUE, report.examined
        return report.seconds

    def noop_ms() -> float:
        runs = []
        for _ in range(7):
            started = time.perf_counter()
            report = escalation.sla_sweep()
            runs.append((time.perf_counter() - started) * 1000)
            assert not report.escalations
        return statistics.median(runs)

    def sql_floor_ms() -> float:
        """The sweep's own selection statements and page size, nothing else."""
        runs = []
        for _ in range(7):
            now = timezone.now()
            started = time.perf_counter()
            selected, after = 0, None
            while True:
                rows = escalation.due_page(now, after, escalation.PAGE_SIZE)
                selected += len(rows)
                if len(rows) < escalation.PAGE_SIZE:
                    break
                after = (rows[-1][3], rows[-1][0])
            runs.append((time.perf_counter() - started) * 1000)
        assert selected >= DUE, selected
        return statistics.median(runs)

    started = time.perf_counter()
    seed(100_000, DUE)
    seeding = time.perf_counter() - started
    print(f"sweep_seconds_100k={full_sweep():.2f}")
    print(f"sweep_noop_ms_100k={noop_ms():.1f}")
    started = time.perf_counter()
    seed(int(os.environ.get("BENCH_SWEEP_MORE", "900000")), DUE)  # 1,000,000 in all
    seeding += time.perf_counter() - started
    floor = sql_floor_ms()
    print(f"sweep_seconds={full_sweep():.2f}")
    print(f"sweep_noop_ms={noop_ms():.1f}")
    print(f"sweep_sql_floor_ms={floor:.1f}")
    print(f"seed_seconds={seeding:.1f}")
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM requests_sla_request")
        requests = cur.fetchone()[0]
        cur.execute("SELECT count(*) FROM requests_sla_escalationstep")
        steps = cur.fetchone()[0]
    print(f"open_requests={requests} escalation_steps={steps}")


try:
    main()
finally:
    from django.db import connections

    connections.close_all()
    DB.finish()
