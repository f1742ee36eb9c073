"""Filing throughput: gunicorn (2 workers) on 127.0.0.1, 8 client connections
filing requests through the API for 20 s, after 3 s of untimed warm-up
(``BENCH_WARMUP``) so a fresh worker's start-up is not in the figures.

Uses its own PostgreSQL database (``collab_bench_filing``, created and dropped
here) and Redis DB 14 as the broker (tasks are enqueued as in production; no
worker drains them). Prints key=value lines: filing_rps, filing_p50_ms,
filing_p99_ms, filing_ok, filing_errors, and checks that every 2xx became
exactly one row (filing_rows_match=true); filing_cpu_ms_per_request, the CPU
the gunicorn workers and the database backends spent per filing (from /proc:
steadier than throughput on a shared machine, so compare revisions on it).

    .venv/bin/python bench/filing.py        # BENCH_SECONDS, BENCH_CONNECTIONS to change the load

``BENCH_APP_ROLE=collab_app`` serves as that role, under row-level security
as in production (collab/rls.py: a scope prefix on every statement); by
default the server connects as the URL's user, a superuser that RLS skips.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

from bench.benchdb import BenchDatabase  # noqa: E402

SECONDS = float(os.environ.get("BENCH_SECONDS", "20"))
# Untimed filing first, so the figures are the workers' steady state rather
# than their start-up (imports, connections, caches).
WARMUP = float(os.environ.get("BENCH_WARMUP", "3"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "8"))
DB_NAME = "collab_bench_filing"
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")


def prepare(env: dict) -> dict:
    """Migrate, provision one organization and a sales rep; return what the client needs."""
    code = """
import json, django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0, interactive=False)
from collab.tenancy import organization_scope
from departments.roles import Role
from departments.services import api_token_create, organization_create, membership_set
from departments.models import Department
from django.contrib.auth import get_user_model
from requests_sla.models import RequestType
org = organization_create(name="Bench Co", slug="bench")
user = get_user_model().objects.create_user("bench-rep", "rep@bench.example", "x")
with organization_scope(org.id):
    business = Department.objects.get(code="business")
    membership_set(organization=org, user=user, role=Role.SALES_REP, department=business)
    rt = RequestType.objects.get(code="rnd_tech_support")
_token, key = api_token_create(user=user, name="bench", days=1)
print(json.dumps({"token": key, "type": rt.pk}))
"""
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(port: int) -> None:
    for _ in range(100):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("gunicorn did not start")


def client(
    port: int,
    token: str,
    type_id: int,
    deadline: float,
    results: list,
    worker: int,
    prefix: str = "bench",
) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    headers = {"Authorization": f"Token {token}", "Content-Type": "application/json"}
    n = 0
    while time.perf_counter() < deadline:
        n += 1
        body = json.dumps(
            {
                "request_type": type_id,
                "priority": "normal",
                "title": f"{prefix} {worker}-{n}",
                "description": "load test",
                "extra": {"customer_name": "Bench customer"},
            }
        )
        started = time.perf_counter()
        try:
            connection.request("POST", "/api/requests/", body=body, headers=headers)
            response = connection.getresponse()
            payload = response.read()
            status = response.status
        except (OSError, http.client.HTTPException):
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            status, payload = 0, b""
        elapsed = (time.perf_counter() - started) * 1000
        number = json.loads(payload).get("id") if 200 <= status < 300 else None
        results.append((status, elapsed, number))
    connection.close()


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU the processes have used (Linux /proc), in seconds."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # gone: its CPU is lost to the figure, which can only shrink
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def serving_pids(server: subprocess.Popen, db_url: str) -> list[int]:
    """The gunicorn workers and the PostgreSQL backends serving the bench database."""
    import psycopg2

    children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
    with psycopg2.connect(db_url) as conn, conn.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
            " AND pid <> pg_backend_pid()"
        )
        backends = [row[0] for row in cursor.fetchall()]
    return [int(pid) for pid in children] + backends


def run_clients(ids: dict, port: int, seconds: float, results: list, *, prefix: str) -> float:
    """CONNECTIONS clients filing for ``seconds``; returns the wall time."""
    deadline = time.perf_counter() + seconds
    threads = [
        threading.Thread(
            target=client,
            args=(port, ids["token"], ids["type"], deadline, results, i, prefix),
        )
        for i in range(CONNECTIONS)
    ]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - started


def main() -> None:
    db = BenchDatabase(DB_NAME, script="bench/filing.py")
    db.prepare(reusable=False)
    env = {
        **os.environ,
        "DATABASE_URL": db.url,
        "REDIS_URL": REDIS_URL,
        "DJANGO_SETTINGS_MODULE": "collab.settings.local",
        "DEBUG": "false",
        "LOG_LEVEL": "WARNING",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
    }
    server = None
    try:
        ids = prepare(env)
        port = free_port()
        role = os.environ.get("BENCH_APP_ROLE", "")
        if role:
            parts = urlsplit(db.url)
            served = parts._replace(netloc=f"{role}@{parts.hostname}:{parts.port or 5432}")
            env = {**env, "DATABASE_URL": urlunsplit(served)}
        server = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "collab.wsgi:application",
                "--workers",
                "2",
                "--bind",
                f"127.0.0.1:{port}",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
        )
        wait_for(port)
        run_clients(ids, port, WARMUP, [], prefix="warmup")
        results: list = []
        # CPU per filing (the app's workers plus the database's backends) is
        # what the code costs, and it drifts far less with the machine's load
        # than throughput does: compare revisions on it.
        pids = serving_pids(server, db.url)
        cpu_before = cpu_seconds(pids)
        wall = run_clients(ids, port, SECONDS, results, prefix="bench")
        cpu = cpu_seconds(pids) - cpu_before
        env["DATABASE_URL"] = db.url  # the count below reads every row
        ok = [r for r in results if 200 <= r[0] < 300]
        latencies = sorted(r[1] for r in results)
        count = subprocess.run(
            [
                sys.executable,
                "-c",
                "import django; django.setup(); from collab.tenancy import dangerously_unscoped\n"
                "from requests_sla.models import Request\n"
                "with dangerously_unscoped():\n"
                "    print(Request.objects.filter(title__startswith='bench ').count(),"
                " Request.objects.filter(title__startswith='bench ').values('title').distinct().count())",
            ],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout.split()
        rows, distinct = int(count[0]), int(count[1])
        print(f"filing_seconds={wall:.1f}")
        print(f"filing_connections={CONNECTIONS}")
        print(f"filing_db_role={role or 'superuser (no RLS)'}")
        print(f"filing_rps={len(ok) / wall:.1f}")
        print(f"filing_cpu_ms_per_request={cpu * 1000 / max(len(ok), 1):.2f}")
        print(f"filing_p50_ms={statistics.median(latencies):.1f}")
        print(f"filing_p99_ms={latencies[int(len(latencies) * 0.99) - 1]:.1f}")
        print(f"filing_ok={len(ok)}")
        print(f"filing_errors={len(results) - len(ok)}")
        print(f"filing_rows={rows}")
        print(f"filing_rows_match={'true' if rows == distinct == len(ok) else 'false'}")
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=10)
        db.finish()


if __name__ == "__main__":
    main()
