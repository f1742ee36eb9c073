"""Department-queue benchmark: 100,000 requests, a head's first page, 50 runs.

Uses its own PostgreSQL database (``collab_bench``, created and dropped
here) so the dev and test databases are never touched. The server comes
from ``BENCH_DATABASE_URL`` or ``DATABASE_URL`` (default
postgres://postgres@127.0.0.1:5432); only the database name is replaced.

By default this times the department-queue page itself (a head's first
page, through Django's test client: middleware, selector, template);
``QUEUE_RENDER=selector`` times only the selector plus serialising the first
50 rows the way the API does.

Prints key=value lines: queue_p50_ms, queue_p95_ms, queue_queries, …
"""

from __future__ import annotations

import sys
from pathlib import Path

# This file is named like the stdlib ``queue`` module: take its own folder
# off the import path before anything (asgiref, logging) imports ``queue``.
HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(ROOT))

import os  # noqa: E402
import random  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402

from bench.benchdb import BenchDatabase  # noqa: E402

REQUESTS = int(os.environ.get("BENCH_REQUESTS", "100000"))
RUNS = int(os.environ.get("BENCH_RUNS", "50"))
DB_NAME = "collab_bench"


def setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "collab.settings.test")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def seed():
    """An organization with REQUESTS requests (mostly R&D's, all states) and
    their current timers, via bulk_create."""
    import datetime as dt

    from django.db import connection
    from django.utils import timezone

    from collab.tenancy import dangerously_unscoped, organization_scope
    from departments.models import Department, Membership
    from departments.roles import Role
    from departments.services import organization_create
    from departments.tests.factories import member
    from requests_sla.models import (
        OPEN_STATUSES,
        Request,
        RequestCounter,
        RequestType,
        SlaState,
        SlaTimer,
        Status,
    )

    org = organization_create(name="Bench Co", slug="bench")
    head = member(org, role=Role.DEPT_HEAD, department_code="rnd", username="bench-head")
    reps = [
        member(org, role=Role.SALES_REP, department_code="business", username=f"bench-rep{i}")
        for i in range(20)
    ]
    devs = [
        member(org, role=Role.DEPT_MEMBER, department_code="rnd", username=f"bench-dev{i}")
        for i in range(10)
    ]
    rng = random.Random(42)
    now = timezone.now()
    statuses = [*OPEN_STATUSES, Status.RESOLVED, Status.CLOSED, Status.CANCELLED]
    with dangerously_unscoped():
        departments = {d.code: d for d in Department.objects.filter(organization=org)}
        types = list(
            RequestType.objects.filter(organization=org).select_related("serving_department")
        )
        rnd_types = [t for t in types if t.serving_department.code == "rnd"]
        batch_size = 5000
        for offset in range(0, REQUESTS, batch_size):
            rows = []
            for number in range(offset + 1, min(offset + batch_size, REQUESTS) + 1):
                request_type = rng.choice(rnd_types) if rng.random() < 0.4 else rng.choice(types)
                status = rng.choice(statuses)
                created = now - dt.timedelta(minutes=rng.randint(1, 60 * 24 * 90))
                is_open = status in OPEN_STATUSES
                rows.append(
                    Request(
                        organization=org,
                        number=number,
                        requester=rng.choice(reps),
                        requesting_department=departments["business"],
                        serving_department=request_type.serving_department,
                        request_type=request_type,
                        priority=rng.choice(["low", "normal", "high", "urgent"]),
                        title=f"Bench request {number}",
                        status=status,
                        assignee=rng.choice(devs) if rng.random() < 0.5 else None,
                        created_at=created,
                        sla_due_at=created + dt.timedelta(hours=rng.randint(4, 200))
                        if is_open
                        else None,
                        sla_state=rng.choice(list(SlaState.values)) if is_open else SlaState.MET,
                    )
                )
            created_rows = Request.objects.bulk_create(rows)
            timers = []
            for row in created_rows:
                for key in ("response", "resolution"):
                    timers.append(
                        SlaTimer(
                            organization=org,
                            request=row,
                            kind=key,
                            key=key,
                            unit="working_hours",
                            amount=8,
                            started_at=row.created_at,
                            due_at=row.sla_due_at or row.created_at + dt.timedelta(hours=8),
                            state=row.sla_state or SlaState.MET,
                            remaining_minutes=rng.randint(-600, 600),
                            budget_minutes=480,
                            next_check_at=row.sla_due_at,
                            stopped_at=None if row.status in OPEN_STATUSES else row.created_at,
                        )
                    )
            SlaTimer.objects.bulk_create(timers)
        RequestCounter.objects.filter(organization=org).update(last_number=REQUESTS)
    with connection.cursor() as cursor:
        # VACUUM too, as autovacuum would have by now (it is off on this
        # machine's server): the visibility map lets the pager's COUNT read
        # the index only, as it does in production.
        cursor.execute("VACUUM ANALYZE")
    with organization_scope(org.id):
        membership = Membership.objects.select_related("user", "department", "organization").get(
            user=head
        )
    return org, membership


def render_selector(membership):
    """The selector and the first page serialised as the API does."""
    from requests_sla.requests import selectors
    from requests_sla.requests.serializers import RequestListOutput

    rows = list(selectors.department_queue(membership, {})[:50])
    return RequestListOutput(rows, many=True).data


def make_page_renderer(membership):
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(membership.user)
    url = os.environ.get("QUEUE_PAGE_URL", "/requests/queue/")

    def render(_membership):
        response = client.get(url)
        assert response.status_code == 200, response.status_code
        return response.content

    return render


def measure(org, membership) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from collab.tenancy import organization_scope

    mode = os.environ.get("QUEUE_RENDER", "page")
    render = make_page_renderer(membership) if mode == "page" else render_selector
    timings = []
    queries = 0
    with organization_scope(org.id):
        render(membership)  # warm caches and connections
        for _ in range(RUNS):
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                render(membership)
                timings.append((time.perf_counter() - started) * 1000)
            queries = len(captured)
    timings.sort()
    p95 = timings[min(len(timings) - 1, int(round(0.95 * len(timings))) - 1)]
    print(f"queue_render={mode}")
    print(f"queue_requests={REQUESTS}")
    print(f"queue_runs={RUNS}")
    print(f"queue_p50_ms={statistics.median(timings):.1f}")
    print(f"queue_p95_ms={p95:.1f}")
    print(f"queue_queries={queries}")


def main() -> None:
    db = BenchDatabase(DB_NAME, script="bench/queue.py")
    db.prepare(reusable=False)
    try:
        setup_django(db.url)
        started = time.perf_counter()
        org, membership = seed()
        print(f"seed_seconds={time.perf_counter() - started:.1f}")
        measure(org, membership)
    finally:
        from django.db import connections

        connections.close_all()
        db.finish()


if __name__ == "__main__":
    main()
