"""The deployment files stay true: docker-compose parses and matches the
settings, production settings pass Django's deploy checks, and the embedded
path of `make run` (no DATABASE_URL/REDIS_URL) serves the sign-in page."""

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import yaml

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


@pytest.mark.skip(
    reason="app code is PostgreSQL only since the house split; the embedded-PostgreSQL "
    "version of this test comes with the house-pg work (issue 11, section 1)"
)
def test_embedded_defaults_serve_the_sign_in_page_without_postgres_or_redis(tmp_path):
    """What `make run` does, minus honcho: SQLite + filesystem broker in a fresh var/."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(DJANGO_SETTINGS_MODULE="collab.settings.local", COLLAB_VAR_DIR=str(tmp_path))
    run = lambda *args: subprocess.run(  # noqa: E731
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
    )
    run("migrate", "--noinput", "-v0")
    assert "demo organization ready" in run("load_demo", "--if-empty").stdout
    assert "not loaded" in run("load_demo", "--if-empty").stdout
    assert (tmp_path / "collab.sqlite3").exists()
    # The dashboard's raw reads run on SQLite too: its backlog counts the
    # same open requests as the ORM.
    check = (
        "from django.test import Client; from django.contrib.auth import get_user_model\n"
        "from django.test.utils import setup_test_environment; setup_test_environment()\n"
        "from collab.tenancy import organization_scope\n"
        "from requests_sla.models import OPEN_STATUSES, Request\n"
        "c = Client(SERVER_NAME='localhost')\n"
        "c.force_login(get_user_model().objects.get(username='ops'))\n"
        "r = c.get('/dashboard/')\n"
        "with organization_scope(c.get('/dashboard/').wsgi_request.organization.id):\n"
        "    n = Request.objects.filter(status__in=OPEN_STATUSES).count()\n"
        "print(r.status_code, r.context['d'].open_total, n)"
    )
    status, backlog, open_requests = run("shell", "-c", check).stdout.split()[-3:]
    assert status == "200" and int(backlog) == int(open_requests) > 0
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        body = ""
        for _ in range(60):
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/accounts/login/", timeout=2
                ) as r:
                    body = r.read().decode()
                break
            except OSError:
                time.sleep(0.5)
        assert 'name="password"' in body
    finally:
        server.terminate()
        server.wait(timeout=10)


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
