"""Real processes: Celery workers and beat on Redis and PostgreSQL.

The subprocesses get the test database's NAME through DATABASE_URL and a
dedicated Redis DB as broker; rows are committed (``transactional_db``) so
they can see them. Bounded in time: each test waits at most ~60 s.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from collab.tenancy import dangerously_unscoped, organization_scope
from departments.roles import Role
from departments.tests.factories import OrganizationFactory, member
from requests_sla.models import EscalationStep, Notification, ReviewMeeting, SlaTimer
from requests_sla.tests.bulk import seed_overdue

pytestmark = [pytest.mark.integration]

ROOT = Path(__file__).resolve().parents[2]
CELERY = str(Path(sys.executable).parent / "celery")
BROKER_DB = 13
REDIS_RESTART = [
    "redis-server",
    "--daemonize",
    "yes",
    "--bind",
    "127.0.0.1",
    "-::1",
    "--port",
    "6379",
    "--save",
    "",
    "--appendonly",
    "no",
    "--dir",
    "/var/lib/redis",
    "--logfile",
    "/var/log/redis/ci.log",
]


def _env(tmp_path) -> dict:
    db = connection.settings_dict
    url = f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="collab.settings.local",
        DATABASE_URL=url,
        REDIS_URL=f"redis://127.0.0.1:6379/{BROKER_DB}",
        SLA_SWEEP_SECONDS="1",
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        COLLAB_VAR_DIR=str(tmp_path),
        CONN_MAX_AGE="0",
        LOG_LEVEL="WARNING",
        PYTHONPATH=str(ROOT),
    )
    return env


class Processes:
    def __init__(self, tmp_path):
        self.tmp = tmp_path
        self.env = _env(tmp_path)
        self.procs: dict[str, subprocess.Popen] = {}
        subprocess.run(
            ["redis-cli", "-n", str(BROKER_DB), "flushdb"], check=False, capture_output=True
        )

    def start(self, name: str, *args: str) -> None:
        log = open(self.tmp / f"{name}.log", "ab")  # noqa: SIM115 (closed with the process)
        self.procs[name] = subprocess.Popen(  # noqa: S603
            [CELERY, "-A", "collab", *args],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: kill -9 takes the children too
        )

    def worker(self, name: str, concurrency: int = 2) -> None:
        self.start(
            name,
            "worker",
            "-n",
            f"{name}@%h",
            "-c",
            str(concurrency),
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "-l",
            "WARNING",
        )

    def beat(self, name: str) -> None:
        self.start(name, "beat", "-s", str(self.tmp / f"{name}-schedule"), "-l", "WARNING")

    def kill9(self, name: str) -> None:
        os.killpg(self.procs[name].pid, signal.SIGKILL)
        self.procs[name].wait(10)

    def stop_all(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs.values():
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)

    def logs(self) -> str:
        return "\n".join(p.read_text(errors="replace")[-3000:] for p in self.tmp.glob("*.log"))


@pytest.fixture
def processes(tmp_path, transactional_db):
    procs = Processes(tmp_path)
    yield procs
    procs.stop_all()


def wait_for(condition, timeout: float, interval: float = 0.5):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    return condition()


def _due_count() -> int:
    with dangerously_unscoped():
        return SlaTimer.unscoped.filter(next_check_at__lte=timezone.now()).count()


def _step_count() -> int:
    with dangerously_unscoped():
        return EscalationStep.unscoped.count()


def _people(org):
    rep = member(org, role=Role.SALES_REP, department_code="business", username=f"rep-{org.slug}")
    member(org, role=Role.DEPT_HEAD, department_code="rnd", username=f"head-{org.slug}")
    member(org, role=Role.OPS_MANAGER, department_code="ops_mgmt", username=f"ops-{org.slug}")
    return rep


def test_worker_and_beat_escalate_breached_requests_into_meetings_and_notifications(processes):
    org = OrganizationFactory(slug="acme-int")
    rep = _people(org)
    now = timezone.now()
    seed_overdue(
        org,
        rep,
        count=5,
        filed_at=now - dt.timedelta(days=12),
        next_check_at=now - dt.timedelta(minutes=1),
    )
    processes.worker("w1")
    processes.beat("b1")
    assert wait_for(lambda: _step_count() == 5 * 2 * 3 and _due_count() == 0, 60), processes.logs()
    with organization_scope(org.id):
        meeting = ReviewMeeting.objects.get()
        assert meeting.agenda.count() == 5
        assert {p.user.username for p in meeting.participants.select_related("user")} >= {
            "head-acme-int",
            "ops-acme-int",
        }
        kinds = set(Notification.objects.values_list("recipient__username", "kind"))
    assert ("ops-acme-int", "sla_breached") in kinds and ("ops-acme-int", "sla_follow_up") in kinds


def test_two_workers_two_beats_a_kill_and_a_redis_restart_escalate_each_step_exactly_once(
    processes,
):
    orgs = [OrganizationFactory(slug=f"adv-{i}") for i in range(2)]
    now = timezone.now()
    for org in orgs:
        seed_overdue(
            org,
            _people(org),
            count=1000,
            filed_at=now - dt.timedelta(days=12),
            next_check_at=now - dt.timedelta(minutes=1),
        )
    processes.worker("w1", concurrency=2)
    processes.worker("w2", concurrency=2)
    processes.beat("b1")
    processes.beat("b2")
    # Mid-sweep: some steps are in, far from all of them.
    assert wait_for(lambda: _step_count() > 0, 40, 0.05), processes.logs()
    processes.kill9("w1")
    subprocess.run(
        ["redis-cli", "-p", "6379", "shutdown", "nosave"], check=False, capture_output=True
    )
    time.sleep(1)
    subprocess.run(REDIS_RESTART, check=True, capture_output=True)
    wait_for(
        lambda: subprocess.run(["redis-cli", "ping"], capture_output=True).stdout.strip()
        == b"PONG",
        10,
    )
    processes.worker("w1-again", concurrency=2)
    expected = 2 * 1000 * 2 * 3  # organizations × requests × timers × levels
    assert wait_for(lambda: _step_count() >= expected and _due_count() == 0, 75, 1), (
        _step_count(),
        processes.logs(),
    )
    time.sleep(2)  # a few more sweeps must not add anything
    with dangerously_unscoped(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT t.id, array_agg(s.level ORDER BY s.level) FROM requests_sla_slatimer t "
            "LEFT JOIN requests_sla_escalationstep s ON s.timer_id = t.id "
            "WHERE t.state = 'breached' GROUP BY t.id"
        )
        ladders = dict(cursor.fetchall())
    assert len(ladders) == 2 * 1000 * 2
    assert {tuple(levels) for levels in ladders.values()} == {(1, 2, 3)}
    assert _step_count() == expected
    with dangerously_unscoped():
        assert ReviewMeeting.unscoped.count() == 2  # one per organization, never two
