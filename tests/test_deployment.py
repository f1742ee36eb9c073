"""The deployment files stay true: docker-compose parses and matches the
settings, production settings pass Django's deploy checks, and `make run`
without DATABASE_URL/REDIS_URL serves real figures from its embedded
PostgreSQL and stops without leaving a process behind."""

import http.cookiejar
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

import psutil
import pytest
import yaml

from collab import devdb

ROOT = Path(__file__).resolve().parent.parent


def settings_variables() -> set[str]:
    """Every environment variable the settings read through the env helper."""
    source = "\n".join(p.read_text() for p in (ROOT / "collab" / "settings").glob("*.py"))
    names = set(re.findall(r'env(?:\.\w+)?\(\s*"([A-Z_]+)"', source))
    names |= set(re.findall(r'env_secret\(\s*"([A-Z_]+)"', source))
    names |= {f"{n}_FILE" for n in re.findall(r'env_secret\(\s*"([A-Z_]+)"', source)}
    return names | {"DJANGO_SETTINGS_MODULE"}


def test_compose_file_parses_and_has_the_services():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    assert {"web", "worker", "beat", "db", "redis", "migrate"} <= set(compose["services"])
    for name in ("web", "worker", "beat", "db", "redis"):
        service = compose["services"][name]
        assert "healthcheck" in service or name == "beat", name
    assert "gunicorn" in " ".join(compose["services"]["web"]["command"])


def test_compose_sets_only_variables_the_settings_read():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    known = settings_variables()
    for name in ("web", "worker", "beat", "migrate"):
        env = compose["services"][name]["environment"]
        unknown = set(env) - known
        assert not unknown, f"{name} sets variables no setting reads: {unknown}"
        assert {"DATABASE_URL", "REDIS_URL", "SECRET_KEY_FILE"} <= set(env)


def test_production_settings_pass_the_deploy_check(tmp_path):
    # The browser tests' Playwright fixture sets DJANGO_ALLOW_ASYNC_UNSAFE in
    # this process; a deployment never has it.
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DJANGO_SETTINGS_MODULE": "collab.settings.production",
        "SECRET_KEY": "x" * 20 + "-production-like-secret-key-with-enough-entropy-9f3a",
        "ALLOWED_HOSTS": "collab.example.com",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/collab",
        "REDIS_URL": "redis://127.0.0.1:6379/15",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "SECRET_KEY_FILE")}
    env["DJANGO_SETTINGS_MODULE"] = "collab.settings.production"
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr


def test_secrets_can_come_from_files(tmp_path):
    secret = tmp_path / "key"
    secret.write_text("from-a-file\n")
    code = "from collab.settings.env import env_secret; print(env_secret('SECRET_KEY'))"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "SECRET_KEY": "from-env", "SECRET_KEY_FILE": str(secret)},
    )
    assert result.stdout.strip() == "from-a-file"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def var_dir():
    """A fresh var/ that the embedded server's account can reach when we are root
    (pytest's own tmp_path sits in a folder only root may enter)."""
    path = Path(tempfile.mkdtemp(prefix="collab-var-"))
    path.chmod(0o755)
    yield path
    devdb.stop(path / "postgres")
    shutil.rmtree(path, ignore_errors=True)


def _local_env(var: Path, **extra: str) -> dict[str, str]:
    """`make run`'s environment: no DATABASE_URL/REDIS_URL, local settings."""
    drop = ("DATABASE_URL", "DATABASE_OWNER_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env.update(DJANGO_SETTINGS_MODULE="collab.settings.local", COLLAB_VAR_DIR=str(var), **extra)
    return env


class Browser:
    """Just enough of a browser for Django's sign-in form: cookies and CSRF."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=60) as response:
            return response.read().decode()

    def sign_in(self, username: str, password: str) -> str:
        form = self.get("/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
        data = urllib.parse.urlencode(
            {"csrfmiddlewaretoken": token, "username": username, "password": password}
        ).encode()
        request = urllib.request.Request(
            self.base + "/accounts/login/", data=data, headers={"Referer": self.base}
        )
        with self.opener.open(request, timeout=60) as response:
            return response.geturl()


def _wait_for(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.slow
@pytest.mark.integration
def test_make_run_serves_real_figures_on_the_embedded_postgres_and_stops_clean(var_dir):
    """`make run` without DATABASE_URL (collab.devrun, what the Makefile runs):
    the embedded PostgreSQL 18 starts in a fresh var/, the schema and the demo
    load, ops signs in and sees the funnel and the dashboard's percentiles with
    figures; Ctrl-C stops the three processes and the database, quietly."""
    port = _free_port()
    log = var_dir / "make-run.log"
    with open(log, "w") as out:
        run = subprocess.Popen(
            [sys.executable, "-m", "collab.devrun"], cwd=ROOT, stdout=out,
            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
            env=_local_env(var_dir, PORT=str(port)),
        )  # fmt: skip
    browser = Browser(f"http://127.0.0.1:{port}")
    try:

        def serving():
            assert run.poll() is None, log.read_text()
            try:
                return browser.get("/accounts/login/")
            except OSError:
                return None

        _wait_for(serving, 600, "the web server")
        assert devdb.running(var_dir / "postgres")
        second = subprocess.run(
            [sys.executable, "-m", "collab.devrun"], cwd=ROOT, capture_output=True, text=True,
            env=_local_env(var_dir, PORT=str(_free_port())), timeout=120,
        )  # fmt: skip
        assert second.returncode == 1 and "already running" in second.stderr, second
        assert "/accounts/login/" not in browser.sign_in("ops", "collab-demo")  # signed in

        funnel = browser.get("/pipeline/funnel/")
        assert "funnel-table" in funnel and "SQLite" not in funnel
        # The weighted pipeline in the one money format ("¥7,714,000.00").
        weighted = re.search(r'<p class="big">[^\d<]*([\d,]+)(?:\.\d+)?</p>', funnel)
        assert weighted and int(weighted.group(1).replace(",", "")) > 0, funnel

        dashboard = browser.get("/dashboard/")
        figures = dict(re.findall(r'data-figure="([\w-]+)"[^>]*>([^<]*)<', dashboard))
        for kind in ("response", "resolution"):
            for figure in (f"{kind}-p50", f"{kind}-p90"):
                assert re.search(r"\d", figures[figure]), (figure, figures[figure])
        assert int(figures["open"]) > 0
    finally:
        os.killpg(run.pid, signal.SIGINT)  # what Ctrl-C in the terminal does
        returncode = run.wait(timeout=120)
    output = log.read_text()
    assert returncode == 0, output
    assert "Demo data loaded" in output and f"http://127.0.0.1:{port}/" in output
    for noise in ("ERROR", "Traceback", "SIGKILL", "System check identified some issues"):
        assert noise not in output, output
    assert "PostgreSQL stopped" in output
    assert devdb.processes(var_dir / "postgres") == []
    with pytest.raises(OSError):
        urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=2)

    # A second start reuses the data: the demo is not loaded again.
    devdb.start(var_dir / "postgres")
    again = subprocess.run(
        [sys.executable, "manage.py", "load_demo", "--if-empty"], cwd=ROOT,
        env=_local_env(var_dir), capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert "not loaded" in again.stdout, again.stdout + again.stderr
    assert devdb.stop(var_dir / "postgres")


@pytest.mark.slow
def test_an_unclean_stop_of_the_embedded_server_needs_no_repair(var_dir):
    root = var_dir / "postgres"
    devdb.start(root, durable=False)
    killed = devdb.running(root)
    os.kill(killed, signal.SIGKILL)  # the server dies; postmaster.pid stays
    _wait_for(lambda: devdb.running(root) is None, 30, "the server to die")
    assert (root / "data" / "postmaster.pid").exists()

    devdb.start(root, durable=False)
    assert devdb.running(root) not in (None, killed)
    devdb.ensure_database(root)
    devdb.ensure_database(root)  # at every start: idempotent
    assert devdb.stop(root) and devdb.processes(root) == []

    # A pid file naming a live process that is not PostgreSQL (pid reuse after a
    # reboot) is stale too.
    (root / "data" / "postmaster.pid").write_text(f"{os.getpid()}\n{root / 'data'}\n")
    devdb.start(root, durable=False)
    assert devdb.running(root) not in (None, os.getpid())
    assert devdb.start(root, durable=False) and len({p.pid for p in devdb.processes(root)}) > 1
    assert devdb.stop(root) and not devdb.stop(root)
    assert devdb.processes(root) == []


@pytest.mark.slow
@pytest.mark.skipif(os.geteuid() != 0, reason="only root runs the server as another account")
def test_as_root_the_server_runs_from_a_copy_when_the_wheel_is_out_of_its_accounts_reach(
    var_dir, monkeypatch
):
    """A checkout under /root: the unprivileged account cannot reach the venv."""
    wheel_postgres = devdb.bin_dir() / "postgres"
    reach = devdb._unreachable
    monkeypatch.setattr(
        devdb, "_unreachable",
        lambda path, account: path.parent if path == wheel_postgres else reach(path, account),
    )  # fmt: skip
    monkeypatch.setattr(devdb, "BINARY_CACHE", var_dir / "cache")
    root = var_dir / "postgres"
    devdb.start(root, durable=False)
    executable = Path(psutil.Process(devdb.running(root)).exe())
    assert executable.is_relative_to(var_dir / "cache") and executable.name == "postgres"
    devdb.ensure_database(root)
    assert devdb.stop(root) and devdb.processes(root) == []


def test_the_local_settings_use_the_embedded_server_without_database_url(var_dir):
    code = "from django.conf import settings; print(settings.DATABASES['default'])"
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code], cwd=ROOT,
        env=_local_env(var_dir), capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert "'ENGINE': 'django.db.backends.postgresql'" in result.stdout, result.stderr
    assert f"'host': '{var_dir / 'postgres'}'" in result.stdout
    # The app connects as the app role; migrate (make run) as the owner role.
    assert f"'USER': '{devdb.APP}'" in result.stdout
    assert devdb.url(var_dir / "postgres").startswith("postgresql://collab_app@/collab?host=/")
    owner = devdb.url(var_dir / "postgres", user=devdb.OWNER)
    assert owner.startswith("postgresql://collab_owner@/collab?host=/")


@pytest.mark.parametrize("url", ["sqlite:////tmp/collab.sqlite3", "mysql://u@localhost/collab"])
def test_a_database_url_that_is_not_postgres_is_refused_at_startup(url, tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, capture_output=True, text=True,
        env=_local_env(tmp_path, DATABASE_URL=url), timeout=120,
    )  # fmt: skip
    assert result.returncode != 0
    assert "ImproperlyConfigured: DATABASE_URL must point at PostgreSQL" in result.stderr


@pytest.mark.parametrize("module", ["collab.settings.local", "collab.settings.test"])
def test_celery_app_loads_its_configuration(module):
    code = "import django; django.setup(); from collab.celery import app; print(app.conf.broker_url.split(':')[0])"
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env["DJANGO_SETTINGS_MODULE"] = module
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.stdout.strip() == ("filesystem" if module.endswith("local") else "redis"), (
        result.stderr
    )
